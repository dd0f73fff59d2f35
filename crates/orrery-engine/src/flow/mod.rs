//! The recommendation flow: how one list is made for one user, the same code for the
//! server's answers and for `orrery eval`'s measurements.
//!
//! ```text
//! sources ──► merge ──► rank ──► diversify ──► page
//! (model top-N, neighbours of recent likes, content profile, popular; each searching
//!  only the items the rules admit: live, unseen, in the category; a request's
//!  exclusions are left out after ranking, so that the others keep their order)
//! ```
//!
//! - [`sources`] propose candidates; [`sources::Candidates`] merges them and remembers
//!   which sources proposed each item, so that every list says where its items came from.
//! - [`rules::Admission`] holds the filters every source applies while it searches
//!   (seen, category, and the [`expr`] filters of the request and its preset);
//!   the rules' boosts scale the ranker's scores.
//! - The ranker blends, over the candidates only, the active model's score (a re-ranking
//!   model such as NCF scores just these), the content match and popularity, by
//!   `orrery-models`' blend ([`orrery_models::blend`]): weights that move smoothly with
//!   the length of the user's history, so that a newcomer's list follows their stated
//!   interests and each interaction moves it towards the model, with no cliff.
//! - Maximal marginal relevance spreads near duplicates apart when asked; the page is cut
//!   last.
//!
//! Each signal is scaled to [0, 1] over a fixed *basis* of candidates (each source's first
//! proposals up to its configured count), so that a deeper page, which asks the sources
//! for more, is cut from the same ranking.
//!
//! The flow reads a [`Snapshot`] and a [`ContentState`]; the engine builds them from the
//! store, evaluation from a training split ([`crate::offline`]).

pub mod expr;
pub mod retrieval;
pub mod rules;
pub mod sources;

use std::sync::Arc;

use orrery_core::{ItemIdx, KindSet};
use orrery_models::ItemVectors;
use orrery_models::blend::{self, Blend, MAX_POPULARITY_PRIOR, Plan, Ranked, Signals};
use orrery_models::{Recommender, UserRepr};
use serde::{Deserialize, Serialize};

use crate::content::ContentState;
pub use crate::explore::ExplorationSettings;
use crate::explore::Slot;
use crate::rank::Profile;
use crate::{ServingModel, Snapshot};
use retrieval::FactorIndex;
use rules::{Admission, Presets, Rules};
use sources::{Candidates, ModelScores, Origins};

/// How many candidates each source proposes, and the named rules (`[flow]` in
/// `orrery.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowSettings {
    /// The active model's best items.
    pub model_candidates: usize,
    /// Items closest to the user's content profile.
    pub content_candidates: usize,
    /// The most popular items.
    pub popular_candidates: usize,
    /// The user's latest liked items whose neighbours are proposed.
    pub recent_items: usize,
    /// Neighbours proposed per recent item.
    pub neighbours_per_item: usize,
    /// Catalogs of up to this many items are scored whole (exact); above it the model
    /// and content sources search graph indexes and only candidates are scored.
    pub exact_items: usize,
    /// The exploration slot: one position of some lists given to a new item chosen by a
    /// bandit ([`crate::explore`]); off by default.
    pub exploration: ExplorationSettings,
    /// Named rules a request chooses with `preset=NAME`.
    pub presets: Presets,
    /// The kinds of event that make an item seen, so that it is not recommended again:
    /// every kind by default; `["rating", "like", "purchase"]` lets a viewed or clicked
    /// item come back. A custom kind's name stands for every custom kind.
    pub exclude_seen: KindSet,
    /// The model's share of the personal signals once a history is long, for requests
    /// that do not name one (`cf_weight`), in [0, 1]; content has the rest.
    pub cf_weight: f32,
    /// Popularity's share of a newcomer's list (popular in their categories), fading as
    /// their history grows, in [0, 1].
    pub popularity_weight: f32,
    /// Popularity's extra share while a history is short, largest at the cold start
    /// threshold, in [0, 2]. Unset (the default), each training chooses it on a
    /// validation split of its data ([`crate::tune`]) and the model's choice is served
    /// ([`DEFAULT_POPULARITY_PRIOR`] for a model trained without one).
    pub popularity_prior: Option<f32>,
}

/// The popularity prior of a model trained without choosing one.
pub const DEFAULT_POPULARITY_PRIOR: f32 = 0.5;

/// Where the popularity prior of the lists comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorOrigin {
    /// `[flow] popularity_prior` in `orrery.toml`.
    Configured,
    /// Chosen on a validation split when the serving model was trained.
    Trained,
    /// Neither: [`DEFAULT_POPULARITY_PRIOR`].
    Default,
}

impl FlowSettings {
    /// The first setting out of range, as (`flow.` field, reason).
    pub fn check(&self) -> Result<(), (String, String)> {
        let shares = [
            ("cf_weight", self.cf_weight, 1.0),
            ("popularity_weight", self.popularity_weight, 1.0),
            (
                "popularity_prior",
                self.popularity_prior.unwrap_or(DEFAULT_POPULARITY_PRIOR),
                MAX_POPULARITY_PRIOR,
            ),
        ];
        for (field, value, max) in shares {
            if !(0.0..=max).contains(&value) {
                return Err((
                    format!("flow.{field}"),
                    format!("{value} is not between 0 and {max}"),
                ));
            }
        }
        self.exploration.check()
    }

    /// The popularity prior of lists served with `model`, and where it comes from: the
    /// configured one, else the one chosen when the model was trained, else the default.
    pub fn popularity_prior(&self, model: Option<&ServingModel>) -> (f32, PriorOrigin) {
        if let Some(prior) = self.popularity_prior {
            return (prior, PriorOrigin::Configured);
        }
        match model.and_then(ServingModel::chosen_popularity_prior) {
            Some(prior) => (prior, PriorOrigin::Trained),
            None => (DEFAULT_POPULARITY_PRIOR, PriorOrigin::Default),
        }
    }

    /// The blend of a list served with `model` to a user with `history` interactions:
    /// these shares (the prior as [`FlowSettings::popularity_prior`] says), the request's
    /// switches and `cf_weight` (the configured one when it names none), ramped by
    /// `cold_start_threshold`. The prior is for short histories: a user with none gets
    /// none of it, even when a model that reads the stated profile counts the profile as
    /// one interaction of trust ([`crate::blend_interactions`]).
    #[allow(clippy::too_many_arguments)]
    pub fn blend(
        &self,
        model: Option<&ServingModel>,
        history: usize,
        use_cf: bool,
        use_embeddings: bool,
        cf_weight: Option<f32>,
        cold_start_threshold: usize,
        mmr_lambda: f32,
    ) -> Blend {
        Blend {
            use_cf,
            use_embeddings,
            cf_weight: cf_weight.unwrap_or(self.cf_weight),
            cold_start_threshold,
            popularity_weight: self.popularity_weight,
            popularity_prior: if history == 0 {
                0.0
            } else {
                self.popularity_prior(model).0
            },
            mmr_lambda,
        }
    }
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            model_candidates: 100,
            content_candidates: 50,
            popular_candidates: 50,
            recent_items: 3,
            neighbours_per_item: 20,
            exact_items: 20_000,
            exploration: ExplorationSettings::default(),
            presets: Presets::new(),
            exclude_seen: KindSet::ALL,
            cf_weight: 0.8,
            popularity_weight: Blend::default().popularity_weight,
            popularity_prior: None,
        }
    }
}

/// How the flow is configured and how it retrieves right now (`GET /flow`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlowStatus {
    /// The stages a list goes through, in order.
    pub stages: Vec<&'static str>,
    /// Candidates per source, the exact threshold and the presets.
    #[schema(value_type = Object)]
    pub settings: FlowSettings,
    /// Live items in the catalog.
    pub catalog_items: usize,
    /// `exact` (every item scored) or `index` (graph indexes, candidates scored).
    pub retrieval: &'static str,
    /// The active model's item index, when retrieval goes through it.
    pub model_index: Option<IndexStatus>,
    /// How the content index searches: `exact` or `hnsw` (absent without vectors).
    pub content_index: Option<&'static str>,
    /// Users with fewer interactions than this are ramped from content to the model.
    pub cold_start_threshold: usize,
    /// The popularity prior lists are blended with now.
    pub popularity_prior: f32,
    /// Where it comes from.
    pub popularity_prior_from: PriorOrigin,
}

/// The graph index over a model's items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndexStatus {
    /// The model version it indexes.
    pub version: i64,
    /// Items indexed.
    pub items: usize,
    /// The share of the exact top 10 it finds, measured on a sample of the model's users
    /// when it was built.
    pub recall_at_10: Option<f32>,
    /// The graph's search list length (ef), widened until that recall reaches 0.97.
    pub search_list: usize,
}

/// The source name of an item placed by the exploration slot, in answers.
pub const EXPLORATION: &str = "exploration";

/// The stages of [`recommend`], for [`FlowStatus`].
pub const STAGES: [&str; 6] = ["sources", "merge", "rank", "rules", "diversify", "page"];

/// Where a list's content scores came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentSource {
    /// Text embeddings of the items (and of the stated interests).
    Embeddings,
    /// The categories and tags the user likes.
    Tokens,
    /// No content signal (switched off, or nothing known about the user).
    None,
}

/// What the flow knows of one user.
pub struct FlowUser<'a> {
    /// The history in catalog slots with affinities in [-1, 1], oldest first.
    pub cells: &'a [(ItemIdx, f32)],
    /// The slots the user has seen (events of a kind in `exclude_seen`): never proposed.
    pub seen: &'a [ItemIdx],
    /// The number of interactions (the blend's measure of the history's length).
    pub interactions: usize,
    /// The user under the snapshot's model, when the model is to be used.
    pub repr: Option<&'a UserRepr>,
    /// The user's taste over categories and tags.
    pub tokens: &'a Profile,
    /// Whether the user stated interests (their categories then shape popularity while
    /// the history is short; the history's shape it as far as it is sure of a taste).
    pub stated_interests: bool,
    /// The user's content profile in the embeddings' space, when there is one.
    pub content_profile: Option<&'a [f32]>,
    /// Popularity in [0, 1] per catalog slot, as the user's group sees it.
    pub popularity: &'a [f32],
    /// Where the sources' proposals are kept between the user's requests (the server's
    /// user view); `None` to search every time.
    pub sources: Option<&'a SourceCache>,
}

/// The sources' proposals for one user, kept while neither the user (their view is
/// dropped on each of their writes), the model, the catalog nor the item vectors change,
/// so that a user's next page or refresh does not search the indexes again. Only lists
/// without filters are kept: their proposals depend on nothing else.
#[derive(Debug, Default)]
pub struct SourceCache(std::sync::Mutex<Option<(SourceKey, Arc<Candidates>)>>);

/// What cached proposals were made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SourceKey {
    model: Option<i64>,
    catalog: usize,
    vectors: u64,
    wanted: usize,
}

impl SourceCache {
    fn get(&self, key: SourceKey) -> Option<Arc<Candidates>> {
        let cached = self.0.lock().ok()?;
        cached
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, key: SourceKey, candidates: Arc<Candidates>) {
        if let Ok(mut cached) = self.0.lock() {
            *cached = Some((key, candidates));
        }
    }
}

/// What one list asks for.
#[derive(Debug, Clone)]
pub struct FlowRequest<'a> {
    /// Items to return.
    pub n: usize,
    /// Items to skip first (paging).
    pub offset: usize,
    /// Only items in this category.
    pub category: Option<&'a str>,
    /// Slots never to return.
    pub exclude: &'a [ItemIdx],
    /// How to blend (switches, weights, diversity).
    pub blend: Blend,
    /// Filters and boosts.
    pub rules: &'a Rules,
    /// The list's exploration slot, when it has one.
    pub explore: Option<&'a Slot>,
}

/// One item of a list.
#[derive(Debug, Clone, Copy)]
pub struct FlowItem {
    /// The item's catalog slot, its score and the parts of the score.
    pub ranked: Ranked,
    /// The sources that proposed it.
    pub origins: Origins,
    /// The product of the rules' boosts that matched it (1: none).
    pub boost: f32,
}

/// A list and how it was made.
#[derive(Debug, Clone)]
pub struct FlowList {
    /// The items of the page, best first.
    pub items: Vec<FlowItem>,
    /// The blend's decisions.
    pub plan: Plan,
    /// Where the content scores came from.
    pub content: ContentSource,
}

/// Makes one list: sources, merge, rank, diversify, page.
pub fn recommend(
    snapshot: &Snapshot,
    content: &ContentState,
    settings: &FlowSettings,
    user: &FlowUser,
    request: &FlowRequest,
) -> orrery_models::Result<FlowList> {
    // A request's exclusions are left out after ranking, not by the sources: the
    // candidates, and so the scale of each signal, stay those of the same list without
    // them, and the other items keep their order.
    let admission = Admission::new(
        snapshot,
        user.seen.iter().copied(),
        request.category,
        request.rules,
    );
    let wanted = request.offset.saturating_add(request.n);
    let proposed_per_source = wanted.saturating_add(request.exclude.len());
    // The sources run whatever the request's switches say (they only weigh the signals),
    // so that switching a signal off reweighs one candidate set instead of ranking another.
    let scores = UserScores::of(snapshot, content, settings, user)?;
    let unfiltered = request.category.is_none() && !request.rules.filters();
    let key = SourceKey {
        model: snapshot.model.as_ref().map(|m| m.version()),
        catalog: Arc::as_ptr(&snapshot.catalog) as usize,
        vectors: content.version(),
        wanted: proposed_per_source,
    };
    let cache = user.sources.filter(|_| unfiltered);
    let proposed = match cache.and_then(|c| c.get(key)) {
        Some(cached) => cached,
        None => {
            let found = Arc::new(propose(
                snapshot,
                content,
                settings,
                user,
                &scores,
                &admission,
                proposed_per_source,
            ));
            if let Some(cache) = cache {
                cache.put(key, found.clone());
            }
            found
        }
    };
    // Pinned and explored items join the candidates of this list alone: the cached
    // proposals stay what the sources found.
    let pins: Vec<ItemIdx> = pinned_slots(snapshot, request.rules, &admission)
        .into_iter()
        .filter(|slot| !request.exclude.contains(slot))
        .collect();
    let explored = request.explore.and_then(|slot| {
        let relevance = relevance_of(snapshot, &scores, &slot.slots());
        slot.choose(
            |s| admission.admits(s) && !request.exclude.contains(&s) && !pins.contains(&s),
            relevance.as_deref(),
        )
    });
    let candidates = if pins.is_empty() && explored.is_none() {
        proposed
    } else {
        let mut with_extras = (*proposed).clone();
        with_extras.add(Origins::PINNED, pins.iter().copied(), 0);
        with_extras.add(Origins::EXPLORATION, explored, 0);
        Arc::new(with_extras)
    };
    Ok(rank_candidates(
        snapshot,
        content,
        user,
        &candidates,
        &scores,
        &Ranking {
            blend: &request.blend,
            rules: request.rules,
            pins: &pins,
            exclude: request.exclude,
            page: request.offset..wanted,
            explored: explored
                .zip(request.explore)
                .map(|(item, slot)| (item, slot.rank)),
        },
    ))
}

/// How well each of `slots` matches the user's content profile (or, without vectors, the
/// categories and tags they like); `None` when nothing is known of their taste.
fn relevance_of(snapshot: &Snapshot, scores: &UserScores, slots: &[ItemIdx]) -> Option<Vec<f32>> {
    match (&scores.content, scores.tokens) {
        (Some(matches), _) => Some(matches.of(slots)),
        (None, Some(tokens)) => {
            let catalog = &snapshot.catalog;
            Some(
                slots
                    .iter()
                    .map(|&s| tokens.score(catalog.item(s).map_or(&[][..], |i| &i.features[..])))
                    .collect(),
            )
        }
        (None, None) => None,
    }
}

/// The catalog slots of the rules' pins that the list may hold, in the pins' order.
fn pinned_slots(snapshot: &Snapshot, rules: &Rules, admission: &Admission) -> Vec<ItemIdx> {
    let mut slots: Vec<ItemIdx> = Vec::with_capacity(rules.pins().len());
    for id in rules.pins() {
        if let Some(slot) = snapshot.catalog.get(id)
            && admission.admits(slot)
            && !slots.contains(&slot)
        {
            slots.push(slot);
        }
    }
    slots
}

/// Every source's proposals for one list, merged.
fn propose(
    snapshot: &Snapshot,
    content: &ContentState,
    settings: &FlowSettings,
    user: &FlowUser,
    scores: &UserScores,
    admission: &Admission,
    wanted: usize,
) -> Candidates {
    let mut candidates = Candidates::default();
    if let Some((model, repr)) = scores.model {
        let n = settings.model_candidates;
        let top = match (scores.model_index, &scores.model_scores) {
            (Some(index), _) => {
                sources::model_indexed(snapshot, index, repr, admission, n.max(wanted))
            }
            (None, Some(model_scores)) => {
                sources::model_top(snapshot, &model_scores.scores, admission, n.max(wanted))
            }
            (None, None) => Vec::new(),
        };
        candidates.add(Origins::MODEL, top, n);
        let neighbours = sources::neighbours(
            snapshot,
            model,
            scores.model_index,
            user.cells,
            settings.recent_items,
            settings.neighbours_per_item,
            admission,
        );
        candidates.add(Origins::NEIGHBOURS, neighbours, usize::MAX);
    }
    let n = settings.content_candidates;
    match &scores.content {
        Some(ContentMatch::Whole(dots)) => candidates.add(
            Origins::CONTENT,
            sources::content_top(dots, admission, n.max(wanted)),
            n,
        ),
        Some(ContentMatch::Indexed { profile, vectors }) => {
            let nearest = content
                .nearest(profile, n.max(wanted), |slot| admission.admits(slot))
                .unwrap_or_else(|| {
                    // The vector index is still small enough to be scanned.
                    let mut dots = vec![f32::NEG_INFINITY; snapshot.catalog.slots()];
                    vectors.dots(profile, &mut dots);
                    sources::content_top(&dots, admission, n.max(wanted))
                });
            candidates.add(Origins::CONTENT, nearest, n);
        }
        None => {
            if let Some(tokens) = scores.tokens {
                candidates.add(
                    Origins::CONTENT,
                    sources::tokens_top(
                        snapshot,
                        tokens,
                        user.popularity,
                        admission,
                        n.max(wanted),
                    ),
                    n,
                );
            }
        }
    }
    let n = settings.popular_candidates;
    candidates.add(
        Origins::POPULAR,
        sources::popular(snapshot, admission, n.max(wanted)),
        n,
    );
    candidates
}

/// The best `k` of `candidates` (catalog slots) by the flow's ranker, without sources or
/// rules: for protocols that name the items to rank (sampled negatives). Ties keep the
/// candidates' order.
pub fn rank_given(
    snapshot: &Snapshot,
    content: &ContentState,
    user: &FlowUser,
    candidates: &[ItemIdx],
    blend: Blend,
    k: usize,
) -> orrery_models::Result<FlowList> {
    // Every given candidate is scored: no source searches, so no index is needed.
    let exact = FlowSettings {
        exact_items: usize::MAX,
        ..FlowSettings::default()
    };
    let scores = UserScores::of(snapshot, content, &exact, user)?;
    let mut merged = Candidates::default();
    merged.add(Origins::GIVEN, candidates.iter().copied(), usize::MAX);
    Ok(rank_candidates(
        snapshot,
        content,
        user,
        &merged,
        &scores,
        &Ranking {
            blend: &blend,
            rules: &Rules::default(),
            pins: &[],
            exclude: &[],
            page: 0..k,
            explored: None,
        },
    ))
}

/// What the sources and the ranker read of one user's scores: over the whole catalog
/// when it is small, through indexes when it is not.
struct UserScores<'a> {
    /// The active model and the user under it.
    model: Option<(&'a ServingModel, &'a UserRepr)>,
    /// The model's scores of every item it knows (catalogs scored whole, and models
    /// without an index).
    model_scores: Option<ModelScores>,
    /// The graph index over the model's items (large catalogs).
    model_index: Option<&'a FactorIndex>,
    /// How items match the user's content profile; `None` without a profile or vectors.
    content: Option<ContentMatch<'a>>,
    /// The categories and tags the user likes, the content signal while there are no
    /// vectors.
    tokens: Option<&'a Profile>,
}

/// A content profile's match with the items.
enum ContentMatch<'a> {
    /// The profile's dot product with every item's vector (−∞ where an item has none).
    Whole(Vec<f32>),
    /// The profile and the vectors, for dot products with the candidates alone.
    Indexed {
        profile: &'a [f32],
        vectors: &'a ItemVectors,
    },
}

impl ContentMatch<'_> {
    /// The match of each of `slots` (−∞ where an item has no vector).
    fn of(&self, slots: &[ItemIdx]) -> Vec<f32> {
        match self {
            ContentMatch::Whole(dots) => slots
                .iter()
                .map(|&s| dots.get(s as usize).copied().unwrap_or(f32::NEG_INFINITY))
                .collect(),
            ContentMatch::Indexed { profile, vectors } => {
                let mut out = vec![f32::NEG_INFINITY; slots.len()];
                vectors.dots_of(profile, slots, &mut out);
                out
            }
        }
    }
}

impl<'a> UserScores<'a> {
    fn of(
        snapshot: &'a Snapshot,
        content: &'a ContentState,
        settings: &FlowSettings,
        user: &FlowUser<'a>,
    ) -> orrery_models::Result<UserScores<'a>> {
        let model = snapshot.model.as_deref().zip(user.repr);
        let large = snapshot.catalog.slots() > settings.exact_items;
        let model_index = model.and_then(|_| snapshot.factor_index(settings.exact_items));
        let model_scores = match model {
            Some((model, repr)) if model_index.is_none() => Some(ModelScores::of(model, repr)?),
            _ => None,
        };
        let content_match =
            content
                .vectors()
                .zip(user.content_profile)
                .map(|(vectors, profile)| {
                    if large {
                        ContentMatch::Indexed { profile, vectors }
                    } else {
                        let mut dots = vec![f32::NEG_INFINITY; snapshot.catalog.slots()];
                        vectors.dots(profile, &mut dots);
                        ContentMatch::Whole(dots)
                    }
                });
        let tokens = (content_match.is_none() && !user.tokens.is_empty()).then_some(user.tokens);
        Ok(UserScores {
            model,
            model_scores,
            model_index,
            content: content_match,
            tokens,
        })
    }
}

/// Ranks the merged candidates: their signals blended, diversified when asked, and the
/// `page` of ranks cut.
fn rank_candidates(
    snapshot: &Snapshot,
    content: &ContentState,
    user: &FlowUser,
    candidates: &Candidates,
    scores: &UserScores,
    ranking: &Ranking,
) -> FlowList {
    let Ranking {
        blend,
        rules,
        pins,
        exclude,
        ref page,
        explored,
    } = *ranking;
    let signals = CandidateSignals::gather(snapshot, content, user, candidates, scores);
    let mmr_vectors = content
        .vectors()
        .filter(|_| blend.mmr_lambda < 1.0 && scores.content.is_some())
        .map(|v| compact_vectors(v, candidates.slots()));
    let boosts: Option<Vec<f32>> = rules.boosts().then(|| {
        let catalog = &snapshot.catalog;
        candidates
            .slots()
            .iter()
            .map(|&s| {
                catalog
                    .item(s)
                    .map_or(1.0, |item| rules.boost(&item.record))
            })
            .collect()
    });
    let signals_of = signals.as_signals(blend, user.interactions, candidates.basis());
    // Pins are scored like every candidate (their explanations need the parts) but placed
    // first, in their own order; the rest is ranked below them.
    let pinned_at: Vec<usize> = pins
        .iter()
        .filter_map(|&s| candidates.index_of(s))
        .collect();
    let mut unpinned = vec![true; candidates.len()];
    let mut only_pins = vec![false; candidates.len()];
    for &i in &pinned_at {
        unpinned[i] = false;
        only_pins[i] = true;
    }
    for i in exclude.iter().filter_map(|&slot| candidates.index_of(slot)) {
        unpinned[i] = false;
    }
    // The explored item has its slot and no other place.
    let explored_at = explored.and_then(|(slot, rank)| Some((candidates.index_of(slot)?, rank)));
    if let Some((i, _)) = explored_at {
        unpinned[i] = false;
    }
    let (mut ranked, plan) = blend::rank_boosted(
        &signals_of,
        blend,
        &unpinned,
        page.end.saturating_sub(pinned_at.len()),
        mmr_vectors.as_ref(),
        boosts.as_deref(),
    );
    if !pinned_at.is_empty() {
        let (mut first, _) = blend::rank_boosted(
            &signals_of,
            blend,
            &only_pins,
            pinned_at.len(),
            None,
            boosts.as_deref(),
        );
        first.sort_by_key(|r| pinned_at.iter().position(|&i| i == r.item as usize));
        first.append(&mut ranked);
        ranked = first;
    }
    ranked.truncate(page.end);
    ranked.drain(..page.start.min(ranked.len()));
    let item = |r: Ranked| {
        let i = r.item as usize;
        FlowItem {
            ranked: Ranked {
                item: candidates.slots()[i],
                ..r
            },
            origins: candidates.origins(i),
            boost: boosts.as_ref().map_or(1.0, |b| b[i]),
        }
    };
    let mut items: Vec<FlowItem> = ranked.into_iter().map(item).collect();
    if let Some((i, rank)) = explored_at {
        // Scored like every candidate, for its explanation.
        let mut only = vec![false; candidates.len()];
        only[i] = true;
        let (scored, _) =
            blend::rank_boosted(&signals_of, blend, &only, 1, None, boosts.as_deref());
        if let Some(&r) = scored.first() {
            let at = rank.saturating_sub(page.start).min(items.len());
            items.insert(at, item(r));
            items.truncate(page.len().max(at + 1));
        }
    }
    let content_source = if signals.content.is_none() || plan.content_share == 0.0 {
        ContentSource::None
    } else if scores.content.is_some() {
        ContentSource::Embeddings
    } else {
        ContentSource::Tokens
    };
    FlowList {
        items,
        plan,
        content: content_source,
    }
}

/// What the ranker is asked for: how to blend, the rules, the page and its exploration
/// slot.
struct Ranking<'a> {
    blend: &'a Blend,
    rules: &'a Rules,
    /// Catalog slots placed first, in this order.
    pins: &'a [ItemIdx],
    /// Catalog slots never returned (the request's exclusions).
    exclude: &'a [ItemIdx],
    page: std::ops::Range<usize>,
    /// The item of the exploration slot and the slot's rank.
    explored: Option<(ItemIdx, usize)>,
}

/// The raw signals of the candidates, one entry per candidate.
struct CandidateSignals {
    collaborative: Option<Vec<f32>>,
    content: Option<Vec<f32>>,
    category_match: Option<Vec<f32>>,
    popularity: Vec<f32>,
    /// Whether the user stated interests.
    stated_interests: bool,
    /// How sure the history is of a taste for a category ([`crate::rank::category_lean`]).
    history_lean: f32,
}

impl CandidateSignals {
    fn gather(
        snapshot: &Snapshot,
        content: &ContentState,
        user: &FlowUser,
        candidates: &Candidates,
        scores: &UserScores,
    ) -> CandidateSignals {
        let slots = candidates.slots();
        let collaborative = scores.model.map(|(model, repr)| {
            model_signal(snapshot, model, repr, scores.model_scores.as_ref(), slots)
        });
        let (content_scores, category_match) = match (&scores.content, scores.tokens) {
            (Some(matches), _) => {
                let content_scores = matches.of(slots);
                let matches =
                    user.content_profile
                        .zip(content.content.as_ref())
                        .map(|(profile, model)| {
                            let affinities = model.category_affinities(profile);
                            slots
                                .iter()
                                .map(|&s| model.item_category_match(&affinities, s))
                                .collect()
                        });
                (Some(content_scores), matches)
            }
            (None, Some(tokens)) => {
                let catalog = &snapshot.catalog;
                let best = tokens.best_category_weight(catalog);
                let features = |s: ItemIdx| catalog.item(s).map_or(&[][..], |i| &i.features[..]);
                (
                    Some(slots.iter().map(|&s| tokens.score(features(s))).collect()),
                    Some(
                        slots
                            .iter()
                            .map(|&s| tokens.item_category_match(catalog, features(s), best))
                            .collect(),
                    ),
                )
            }
            (None, None) => (None, None),
        };
        let popularity = slots
            .iter()
            .map(|&s| snapshot.measured_popularity(user.popularity, s))
            .collect();
        CandidateSignals {
            collaborative,
            content: content_scores,
            category_match,
            popularity,
            stated_interests: user.stated_interests,
            history_lean: user.tokens.category_lean(),
        }
    }

    fn as_signals<'a>(
        &'a self,
        blend: &Blend,
        interactions: usize,
        basis: &'a [bool],
    ) -> Signals<'a> {
        // Stated interests say which categories a newcomer wants, until the history speaks
        // for itself; a history says it as far as it is sure of a taste, however long.
        let stated = if self.stated_interests {
            1.0 - blend.trust(interactions)
        } else {
            0.0
        };
        Signals {
            collaborative: self.collaborative.as_deref(),
            content: self.content.as_deref(),
            popularity: &self.popularity,
            category_match: self.category_match.as_deref(),
            category_strength: Some(stated.max(self.history_lean)),
            interactions,
            scale_over: Some(basis),
        }
    }
}

/// The model's score of each candidate (−∞ for items it does not know): from the scores
/// of every item when they were computed, else (large catalogs, and re-ranking models
/// such as NCF, whose full score is too costly for the whole catalog) by scoring the
/// candidates alone, falling back on the retrieval scores if that fails.
fn model_signal(
    snapshot: &Snapshot,
    model: &ServingModel,
    repr: &UserRepr,
    scores: Option<&ModelScores>,
    slots: &[ItemIdx],
) -> Vec<f32> {
    let known: Vec<Option<ItemIdx>> = slots.iter().map(|&s| snapshot.model_index(s)).collect();
    let from_scores = |scores: &ModelScores| {
        known
            .iter()
            .map(|m| m.map_or(f32::NEG_INFINITY, |m| scores.scores[m as usize]))
            .collect()
    };
    if let Some(scores) = scores.filter(|s| !s.rerank) {
        return from_scores(scores);
    }
    let items: Vec<ItemIdx> = known.iter().flatten().copied().collect();
    let mut rescored = vec![0f32; items.len()];
    if let Err(error) = model.model.score(repr, &items, &mut rescored) {
        tracing::warn!("scoring the candidates failed: {error}");
        return match scores {
            Some(scores) => from_scores(scores),
            None => vec![f32::NEG_INFINITY; slots.len()],
        };
    }
    let mut rescored = rescored.into_iter();
    known
        .iter()
        .map(|m| match m {
            Some(_) => rescored.next().unwrap_or(f32::NEG_INFINITY),
            None => f32::NEG_INFINITY,
        })
        .collect()
}

/// The candidates' vectors, in candidate order (for diversity re-ranking).
fn compact_vectors(vectors: &ItemVectors, slots: &[ItemIdx]) -> ItemVectors {
    let mut out = ItemVectors::new(vectors.dim(), slots.len());
    for (i, &slot) in slots.iter().enumerate() {
        if let Some(v) = vectors.get(slot) {
            // A stored vector is already a valid unit vector.
            let _ = out.set(i as ItemIdx, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_shares_make_the_blend_unless_a_request_names_its_cf_weight() {
        let settings = FlowSettings {
            cf_weight: 0.6,
            popularity_weight: 0.3,
            popularity_prior: Some(0.2),
            ..FlowSettings::default()
        };
        let configured = settings.blend(None, 3, true, true, None, 7, 1.0);
        assert_eq!(configured.cf_weight, 0.6);
        assert_eq!(
            (configured.popularity_weight, configured.popularity_prior),
            (0.3, 0.2)
        );
        assert_eq!(configured.cold_start_threshold, 7);
        assert_eq!(
            settings
                .blend(None, 3, true, true, Some(0.9), 7, 1.0)
                .cf_weight,
            0.9
        );
        assert!(settings.check().is_ok());
        let (field, _) = FlowSettings {
            popularity_weight: 1.5,
            ..settings
        }
        .check()
        .unwrap_err();
        assert_eq!(field, "flow.popularity_weight");
    }
}
