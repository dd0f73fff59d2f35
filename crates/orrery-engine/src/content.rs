//! The engine's content side: the text embeddings of the catalog's items (computed by the
//! background [`crate::embedder`] and kept in the store), and the content model built over
//! them for each catalog ([`ContentState`]), which turns a user's history and interests
//! into content scores with `orrery-models`' rules.
//!
//! The vectors live in a [`VectorIndex`] (exact below a size threshold, an HNSW graph
//! above), updated as items are embedded or removed; it answers content similar-item
//! look-ups, and the content model of each catalog reads its rows from it.
//!
//! Embeddings replace the catalog's category-and-tag tokens as the content signal once
//! every live item that has text has its vector; until then (the encoder is loading, a
//! batch is being embedded) the token profile stands in, so that a list never mixes items
//! scored one way with items scored the other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use arc_swap::ArcSwapOption;
use orrery_content::{IndexOptions, SearchMode, VectorIndex};
use orrery_core::ItemIdx;
use orrery_models::{Content, ContentParams, ItemCategories, ItemVectors};
use tokio::sync::mpsc::UnboundedSender;

use crate::catalog::Catalog;
use crate::users::HistoryCell;

pub use orrery_train::embed::{item_text, text_hash};

/// What the embedder asks of the engine's content side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedJob {
    /// Check every item of the catalog (at start, after a training refreshed it).
    All,
    /// Check these items (created, changed or announced by another server).
    Items(Vec<String>),
}

/// Which items have a vector of the current encoder, and from which text.
#[derive(Debug, Default)]
struct Table {
    /// The encoder's name, once known.
    model: Option<String>,
    /// The fingerprint of the text each item's vector came from.
    hashes: HashMap<String, u64>,
    /// Bumped after every change of the vectors, so that content states built from older
    /// ones are rebuilt.
    version: u64,
}

/// The item vectors, searchable by cosine, and the item ids behind the index's keys.
///
/// Keys are handed out once per item id and never reused, so a key always names the
/// same item while the index lives.
#[derive(Default)]
struct ItemSpace {
    index: Option<VectorIndex>,
    keys: HashMap<String, u64>,
    ids: HashMap<u64, String>,
    next_key: u64,
}

impl ItemSpace {
    fn key(&mut self, item: &str) -> u64 {
        if let Some(&key) = self.keys.get(item) {
            return key;
        }
        let key = self.next_key;
        self.next_key += 1;
        self.keys.insert(item.to_owned(), key);
        self.ids.insert(key, item.to_owned());
        key
    }

    fn vector(&self, item: &str) -> Option<&[f32]> {
        self.index.as_ref()?.get(*self.keys.get(item)?)
    }
}

/// The content model over one catalog and one version of the vectors.
pub struct ContentState {
    catalog: Arc<Catalog>,
    version: u64,
    /// The searchable vectors (possibly newer than this state's), for catalogs large
    /// enough that the index holds a graph.
    space: Arc<RwLock<ItemSpace>>,
    /// The catalog slot of each index key (`u32::MAX`: none), made on the first search:
    /// the search checks every item it visits, and an id lookup per visit cost a fifth of
    /// the search.
    slots_by_key: OnceLock<Vec<ItemIdx>>,
    /// The content model in catalog index order (`None` when no item has a vector).
    pub content: Option<Content>,
    /// Whether every live item with text has its vector.
    pub complete: bool,
    /// Live items with a vector.
    pub embedded: usize,
    /// Live items with text still waiting for theirs.
    pub pending: usize,
}

/// The vectors, the content state of the current catalog, and the embedder's mailbox.
///
/// Writers update the vector index first and bump the table's version after, so a content
/// state is never cached under a version whose vectors it lacks.
#[derive(Default)]
pub struct ContentIndex {
    table: RwLock<Table>,
    space: Arc<RwLock<ItemSpace>>,
    state: ArcSwapOption<ContentState>,
    /// Held while a state is built: requests that find the state stale at once (the
    /// first ones after a start or a catalog change) wait for one build instead of each
    /// reading every vector again.
    building: Mutex<()>,
    /// Encoded interest texts, by text.
    interests: Mutex<HashMap<String, Arc<Vec<f32>>>>,
    jobs: OnceLock<UnboundedSender<EmbedJob>>,
}

/// Interest texts kept encoded, at most.
const MAX_CACHED_INTERESTS: usize = 10_000;

/// The item embeddings' graph keeps its vectors in half floats: a search reads half the
/// memory for each distance, and the content source only proposes candidates, whose
/// content match the ranker then takes from the full vectors. Recall@10 0.995 against the
/// exact scan on 100,000 clustered 384-d vectors (bench/embed_index.sh --precision f16).
fn content_index_options() -> IndexOptions {
    IndexOptions {
        precision: orrery_content::Precision::F16,
        ..IndexOptions::default()
    }
}

impl ContentIndex {
    /// Connects the embedder's mailbox (once).
    pub fn connect(&self, jobs: UnboundedSender<EmbedJob>) {
        let _ = self.jobs.set(jobs);
    }

    /// Asks the embedder to check `job`'s items (nothing happens without an embedder).
    pub fn request(&self, job: EmbedJob) {
        if let Some(jobs) = self.jobs.get() {
            let _ = jobs.send(job);
        }
    }

    /// The encoder the stored vectors belong to; switching to another forgets the others.
    pub fn use_model(&self, model: &str) {
        let current = self
            .table
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .model
            .clone();
        if current.as_deref() == Some(model) {
            return;
        }
        *self.space.write().unwrap_or_else(|p| p.into_inner()) = ItemSpace::default();
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        table.model = Some(model.to_owned());
        table.hashes.clear();
        table.version += 1;
    }

    /// The fingerprint of the text `item`'s vector was computed from, if it has one.
    pub fn hash_of(&self, item: &str) -> Option<u64> {
        let table = self.table.read().unwrap_or_else(|p| p.into_inner());
        table.hashes.get(item).copied()
    }

    /// Stores vectors (item, fingerprint, vector); one of the wrong length, or that is
    /// zero or not finite, is left out with a warning. Call it off the async threads: a
    /// batch that carries a large catalog past the index's threshold builds its graph.
    pub fn insert(&self, rows: Vec<(String, u64, Vec<f32>)>) {
        if rows.is_empty() {
            return;
        }
        let mut stored = Vec::with_capacity(rows.len());
        {
            let mut space = self.space.write().unwrap_or_else(|p| p.into_inner());
            let dim = space
                .index
                .as_ref()
                .map_or(rows[0].2.len(), VectorIndex::dim);
            let (mut keys, mut flat) = (Vec::new(), Vec::new());
            for (item, hash, vector) in rows {
                let usable = vector.len() == dim
                    && vector.iter().all(|x| x.is_finite())
                    && vector.iter().any(|&x| x != 0.0);
                if !usable {
                    tracing::warn!(
                        item,
                        "an item embedding was not usable (length, zeros or NaN)"
                    );
                    continue;
                }
                keys.push(space.key(&item));
                flat.extend_from_slice(&vector);
                stored.push((item, hash));
            }
            let index = space
                .index
                .get_or_insert_with(|| VectorIndex::new(dim, content_index_options()));
            if let Err(e) = index.upsert_batch(&keys, &flat) {
                tracing::warn!("indexing {} item embeddings failed: {e}", keys.len());
                return;
            }
        }
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        table.hashes.extend(stored);
        table.version += 1;
    }

    /// Forgets the vectors of items that are gone or have no text any more.
    pub fn remove(&self, items: &[String]) {
        let mut removed = 0;
        {
            let mut space = self.space.write().unwrap_or_else(|p| p.into_inner());
            for item in items {
                let Some(key) = space.keys.remove(item) else {
                    continue;
                };
                space.ids.remove(&key);
                if let Some(index) = space.index.as_mut()
                    && let Err(e) = index.remove(key)
                {
                    tracing::warn!(
                        item,
                        "removing an item embedding from the index failed: {e}"
                    );
                }
                removed += 1;
            }
        }
        if removed > 0 {
            let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
            for item in items {
                table.hashes.remove(item);
            }
            table.version += 1;
        }
    }

    /// The `k` items whose text is closest to `item`'s (cosine of their embeddings),
    /// among those `allow` admits, best first; `None` when `item` has no vector.
    pub fn similar_items(
        &self,
        item: &str,
        k: usize,
        allow: impl Fn(&str) -> bool + Sync,
    ) -> Option<Vec<(String, f32)>> {
        let space = self.space.read().unwrap_or_else(|p| p.into_inner());
        let key = *space.keys.get(item)?;
        let index = space.index.as_ref()?;
        let found = index
            .similar_to(key, k, |other| {
                space.ids.get(&other).is_some_and(|id| allow(id))
            })
            .map_err(|e| tracing::warn!(item, "content similarity search failed: {e}"))
            .ok()??;
        Some(
            found
                .into_iter()
                .filter_map(|n| Some((space.ids.get(&n.key)?.clone(), n.score)))
                .collect(),
        )
    }

    /// How the vector index searches (`None` while it holds no vector).
    pub fn search_mode(&self) -> Option<SearchMode> {
        let space = self.space.read().unwrap_or_else(|p| p.into_inner());
        space
            .index
            .as_ref()
            .filter(|i| !i.is_empty())
            .map(VectorIndex::mode)
    }

    /// The content state of `catalog` with the current vectors, built when either changed.
    pub fn state(&self, catalog: &Arc<Catalog>) -> Arc<ContentState> {
        if let Some(state) = self.current(catalog) {
            return state;
        }
        let _building = self.building.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(state) = self.current(catalog) {
            return state;
        }
        let state = Arc::new(self.build(catalog));
        self.state.store(Some(state.clone()));
        state
    }

    /// The cached state, when it was built over `catalog` and the current vectors.
    fn current(&self, catalog: &Arc<Catalog>) -> Option<Arc<ContentState>> {
        let version = self.table.read().unwrap_or_else(|p| p.into_inner()).version;
        self.state
            .load_full()
            .filter(|state| Arc::ptr_eq(&state.catalog, catalog) && state.version == version)
    }

    fn build(&self, catalog: &Arc<Catalog>) -> ContentState {
        // The version first: vectors that change meanwhile are newer than it, and the next
        // call rebuilds.
        let version = self.table.read().unwrap_or_else(|p| p.into_inner()).version;
        let space = self.space.read().unwrap_or_else(|p| p.into_inner());
        let dim = space
            .index
            .as_ref()
            .filter(|i| !i.is_empty())
            .map(VectorIndex::dim);
        let mut state = ContentState::build(catalog, version, dim, |id| space.vector(id));
        state.space = self.space.clone();
        state
    }

    /// A cached encoding of an interests text.
    pub fn cached_interests(&self, text: &str) -> Option<Arc<Vec<f32>>> {
        self.interests.lock().ok()?.get(text).cloned()
    }

    /// Caches an encoding of an interests text.
    pub fn cache_interests(&self, text: String, vector: Arc<Vec<f32>>) {
        if let Ok(mut cache) = self.interests.lock() {
            if cache.len() >= MAX_CACHED_INTERESTS {
                cache.clear();
            }
            cache.insert(text, vector);
        }
    }
}

impl ContentState {
    /// The content model over `catalog` with the vectors `vector_of` gives by item id (all
    /// `dim` long; `None` when there are none), as of `version` of the vectors.
    fn build<'v>(
        catalog: &Arc<Catalog>,
        version: u64,
        dim: Option<usize>,
        vector_of: impl Fn(&str) -> Option<&'v [f32]>,
    ) -> ContentState {
        let slots = catalog.slots();
        let (mut embedded, mut pending) = (0, 0);
        let mut vectors = dim.map(|d| ItemVectors::new(d, slots));
        let mut categories = Vec::with_capacity(slots);
        let mut liked = Vec::with_capacity(slots);
        for idx in 0..slots as ItemIdx {
            let item = catalog.item(idx).filter(|i| !i.deleted);
            categories.push(item.map_or_else(Vec::new, |i| {
                i.record
                    .categories
                    .iter()
                    .map(|c| c.value.clone())
                    .collect()
            }));
            liked.push(catalog.liked(idx) as f32);
            let Some(item) = item else { continue };
            let stored = vector_of(&item.record.id);
            let set = match (stored, vectors.as_mut()) {
                (Some(s), Some(v)) => v.set(idx, s).is_ok() && v.has(idx),
                _ => false,
            };
            if set {
                embedded += 1;
            } else if !item_text(&item.record).is_empty() {
                pending += 1;
            }
        }
        // History values reach the profile as affinities in [-1, 1] (skips and low
        // ratings push away), so the weights are taken as they are.
        let params = ContentParams {
            binary: false,
            ..ContentParams::default()
        };
        let content = vectors.filter(|_| embedded > 0).and_then(|v| {
            Content::from_parts(v, ItemCategories::from_lists(categories), &liked, &params)
                .map_err(|e| tracing::warn!("building the content model failed: {e}"))
                .ok()
        });
        ContentState {
            catalog: catalog.clone(),
            version,
            space: Arc::default(),
            slots_by_key: OnceLock::new(),
            complete: content.is_some() && pending == 0,
            content,
            embedded,
            pending,
        }
    }

    /// The catalog this state belongs to.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The version of the vectors this state was built from.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The content profile of a history (catalog slots with affinities in [-1, 1]) and
    /// stated interests (`encoded`: their text embedded by the items' encoder); `None`
    /// when the state is incomplete or nothing the user did or said has a vector.
    pub fn profile(
        &self,
        cells: &[(ItemIdx, f32)],
        interests: &[String],
        encoded: Option<&[f32]>,
    ) -> Option<Vec<f32>> {
        let content = self.content.as_ref().filter(|_| self.complete)?;
        let mut profile = content.profile(cells, None);
        if let Some(v) = content.interest_vector(interests, encoded) {
            profile = content.with_interests(&profile, &v);
        }
        profile.iter().any(|&x| x != 0.0).then_some(profile)
    }

    /// The content profile of history cells as a request states them (cold start).
    pub fn profile_of_history(
        &self,
        history: &[HistoryCell],
        interests: &[String],
        encoded: Option<&[f32]>,
    ) -> Option<Vec<f32>> {
        let cells = crate::users::place(&self.catalog, history);
        self.profile(&cells, interests, encoded)
    }

    /// The `n` items closest to `profile` among those `admits` accepts (catalog slots),
    /// found through the vector index's graph; `None` while the index is small enough
    /// to be scanned (the caller then scores every item: same result, no approximation).
    pub fn nearest(
        &self,
        profile: &[f32],
        n: usize,
        admits: impl Fn(ItemIdx) -> bool + Sync,
    ) -> Option<Vec<ItemIdx>> {
        let vectors = self.vectors()?;
        let space = self.space.read().unwrap_or_else(|p| p.into_inner());
        let index = space.index.as_ref()?;
        if index.mode() != SearchMode::Hnsw {
            return None;
        }
        let slots = self.slots_by_key.get_or_init(|| {
            let mut slots = vec![ItemIdx::MAX; space.next_key as usize];
            for (&key, id) in &space.ids {
                if let (Some(entry), Some(slot)) =
                    (slots.get_mut(key as usize), self.catalog.get(id))
                {
                    *entry = slot;
                }
            }
            slots
        });
        let slot_of = |key: u64| {
            let slot = *slots.get(usize::try_from(key).ok()?)?;
            (slot != ItemIdx::MAX && vectors.has(slot)).then_some(slot)
        };
        let found = index
            .search_filtered(profile, n, |key| slot_of(key).is_some_and(&admits))
            .map_err(|e| tracing::warn!("content search failed: {e}"))
            .ok()?;
        Some(found.into_iter().filter_map(|n| slot_of(n.key)).collect())
    }

    /// The item vectors in catalog order (for diversity re-ranking).
    pub fn vectors(&self) -> Option<&ItemVectors> {
        self.content
            .as_ref()
            .filter(|_| self.complete)
            .map(Content::vectors)
    }
}
