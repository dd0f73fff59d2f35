//! The engine's content side: the text embeddings of the catalog's items (computed by the
//! background [`crate::embedder`] and kept in the store), and the content model built over
//! them for each catalog ([`ContentState`]), which turns a user's history and interests
//! into content scores with `orrery-models`' rules.
//!
//! Embeddings replace the catalog's category-and-tag tokens as the content signal once
//! every live item that has text has its vector; until then (the encoder is loading, a
//! batch is being embedded) the token profile stands in, so that a list never mixes items
//! scored one way with items scored the other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use arc_swap::ArcSwapOption;
use orrery_core::ItemIdx;
use orrery_models::{Content, ContentParams, ItemCategories, ItemVectors};
use tokio::sync::mpsc::UnboundedSender;

use crate::engine::catalog::Catalog;
use crate::engine::users::HistoryCell;

pub use orrery_train::embed::{item_text, text_hash};

/// What the embedder asks of the engine's content side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedJob {
    /// Check every item of the catalog (at start, after a training refreshed it).
    All,
    /// Check these items (created, changed or announced by another server).
    Items(Vec<String>),
}

/// One item's vector and the fingerprint of the text it came from.
#[derive(Debug, Clone)]
struct Stored {
    hash: u64,
    vector: Vec<f32>,
}

/// The vectors of the current encoder, by item id.
#[derive(Debug, Default)]
struct Table {
    /// The encoder's name, once known.
    model: Option<String>,
    vectors: HashMap<String, Stored>,
    /// Bumped on every change, so that content states built from older tables are
    /// rebuilt.
    version: u64,
}

/// The content model over one catalog and one version of the vectors.
pub struct ContentState {
    catalog: Arc<Catalog>,
    version: u64,
    /// The content model in catalog index order (`None` when no item has a vector).
    pub content: Option<Content>,
    /// Whether every live item with text has its vector.
    pub complete: bool,
    /// Live items with a vector.
    pub embedded: usize,
    /// Live items with text still waiting for theirs.
    pub pending: usize,
}

/// Content scores for one user over the catalog.
pub struct ContentSignals {
    /// Cosine of each item with the user's profile (−∞ without a vector).
    pub scores: Vec<f32>,
    /// How well each item falls in the user's closest categories, in [0, 1], when asked
    /// for (only cold-start lists weigh it).
    pub category_match: Option<Vec<f32>>,
}

/// The vectors, the content state of the current catalog, and the embedder's mailbox.
#[derive(Default)]
pub struct ContentIndex {
    table: RwLock<Table>,
    state: ArcSwapOption<ContentState>,
    /// Encoded interest texts, by text.
    interests: Mutex<HashMap<String, Arc<Vec<f32>>>>,
    jobs: OnceLock<UnboundedSender<EmbedJob>>,
}

/// Interest texts kept encoded, at most.
const MAX_CACHED_INTERESTS: usize = 10_000;

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
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        if table.model.as_deref() != Some(model) {
            table.model = Some(model.to_owned());
            table.vectors.clear();
            table.version += 1;
        }
    }

    /// The fingerprint of the text `item`'s vector was computed from, if it has one.
    pub fn hash_of(&self, item: &str) -> Option<u64> {
        let table = self.table.read().unwrap_or_else(|p| p.into_inner());
        table.vectors.get(item).map(|s| s.hash)
    }

    /// Stores vectors (item, fingerprint, vector).
    pub fn insert(&self, rows: Vec<(String, u64, Vec<f32>)>) {
        if rows.is_empty() {
            return;
        }
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        for (item, hash, vector) in rows {
            table.vectors.insert(item, Stored { hash, vector });
        }
        table.version += 1;
    }

    /// Forgets the vectors of items that are gone or have no text any more.
    pub fn remove(&self, items: &[String]) {
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        let before = table.vectors.len();
        for item in items {
            table.vectors.remove(item);
        }
        if table.vectors.len() != before {
            table.version += 1;
        }
    }

    /// The content state of `catalog` with the current vectors, built when either changed.
    pub fn state(&self, catalog: &Arc<Catalog>) -> Arc<ContentState> {
        let version = self.table.read().unwrap_or_else(|p| p.into_inner()).version;
        if let Some(state) = self.state.load_full()
            && Arc::ptr_eq(&state.catalog, catalog)
            && state.version == version
        {
            return state;
        }
        let state = Arc::new(self.build(catalog));
        self.state.store(Some(state.clone()));
        state
    }

    fn build(&self, catalog: &Arc<Catalog>) -> ContentState {
        let table = self.table.read().unwrap_or_else(|p| p.into_inner());
        let slots = catalog.slots();
        let dim = table.vectors.values().map(|s| s.vector.len()).next();
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
            let stored = table.vectors.get(&item.record.id);
            let set = match (stored, vectors.as_mut()) {
                (Some(s), Some(v)) => v.set(idx, &s.vector).is_ok() && v.has(idx),
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
            version: table.version,
            complete: content.is_some() && pending == 0,
            content,
            embedded,
            pending,
        }
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
        let cells = crate::engine::users::place(&self.catalog, history);
        self.profile(&cells, interests, encoded)
    }

    /// Content scores of every catalog item for `profile`, with the category match when
    /// `with_category_match`; `None` when the state is incomplete.
    pub fn signals(&self, profile: &[f32], with_category_match: bool) -> Option<ContentSignals> {
        let content = self.content.as_ref().filter(|_| self.complete)?;
        let mut scores = vec![0f32; self.catalog.slots()];
        content.score_profile(profile, &mut scores);
        Some(ContentSignals {
            category_match: with_category_match.then(|| content.category_match(profile)),
            scores,
        })
    }

    /// The item vectors in catalog order (for diversity re-ranking).
    pub fn vectors(&self) -> Option<&ItemVectors> {
        self.content
            .as_ref()
            .filter(|_| self.complete)
            .map(Content::vectors)
    }
}
