//! Orrery's serving engine: the catalog and the active model, swapped atomically, and
//! everything that turns them into answers (recommendations, cold start, onboarding,
//! similar items, predictions, explanations). It knows nothing of HTTP: the server's
//! routes parse a request, call one method here and map [`EngineError`] to a status.
//!
//! - The [`Snapshot`] (catalog + model) lives in an `ArcSwap`: a request loads it once and
//!   finishes on it, however many swaps happen meanwhile, so a swap fails no request.
//! - Every write is one method ([`Engine::put_item`], [`Engine::put_user`],
//!   [`Engine::record_interactions`], …) that stores, drops the cached views it makes
//!   stale, announces the change to the other servers on the database and moves the
//!   Redis list cache's counters ([`cache`]), so that no caller can forget a step.
//! - Users are answered from memory: every user's record and history as read at the start
//!   (or when the whole store is read again), until their first change; a changed user is
//!   read from the store. A list for a user nobody wrote to thus needs no query.
//! - Real-time learning: every stored interaction invalidates the user's cached view; the
//!   next request rebuilds it from the store and folds the whole history into the active
//!   model ([`orrery_models::Recommender::fold_in`]), so it reflects the new event and
//!   filters the newly seen item. Views carry a generation number so that a rebuild that
//!   raced with a newer event is never cached.
//! - Lists are ranked by `orrery-models`' hybrid blend ([`hybrid`]): the active model's
//!   collaborative scores, content scores from the items' text embeddings ([`content`],
//!   computed in the background by [`embedder`] with the process's one text encoder) and
//!   popularity, with the blend's cold start.

pub mod cache;
pub mod catalog;
pub mod content;
pub mod embedder;
pub mod experiments;
mod explain;
pub mod explore;
pub mod flow;
pub mod impressions;
mod neighbours;
pub mod offline;
pub mod rank;
mod reasons;
pub mod serving;
pub mod tune;
pub mod users;
mod writes;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use arc_swap::{ArcSwap, ArcSwapOption};
use orrery_content::{Encoder, SharedEncoder};
use orrery_core::{
    Dataset, EventKind, EventWeights, InteractionRecord, ItemIdx, ItemRecord, KindSet, RatingScale,
    UserHistories, UserRecord,
};
use orrery_models::{Algorithm, Recommender, UserRepr};
use orrery_store::{Change, ModelPurpose, Store};

pub use catalog::{Catalog, CatalogItem};
pub use explain::{Explanation, Influence, SharedCategory, SimilarUser};
pub use neighbours::UserSimilarity;
pub use serving::{BundleError, ServingModel};
pub use users::{HistoryCell, UserView};

use cache::ListCache;
use content::{ContentIndex, ContentState, EmbedJob};
use flow::rules::{RuleError, RuleText, Rules};
use flow::{ContentSource, FlowItem, FlowList, FlowRequest, FlowSettings, FlowUser};
use orrery_models::blend::{Blend, Source};
use rank::{Profile, top};

/// What the engine can fail with.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No user has this id.
    #[error("user {0:?} does not exist")]
    UnknownUser(String),
    /// No item has this id.
    #[error("item {0:?} does not exist")]
    UnknownItem(String),
    /// No registry version has this number.
    #[error("model version {0} does not exist")]
    UnknownVersion(i64),
    /// No experiment has this id.
    #[error("experiment {0:?} does not exist")]
    UnknownExperiment(String),
    /// The request conflicts with what is stored (a duplicate id, a second running
    /// experiment, a change its status does not allow).
    #[error("{0}")]
    Conflict(String),
    /// Nothing has been trained yet.
    #[error("no model is active yet: train one with POST /training/train")]
    NoModel,
    /// The item is newer than the active model.
    #[error("item {0:?} was added after the active model was trained: retrain to score it")]
    NotInModel(String),
    /// A request value out of range.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] orrery_store::Error),
    /// The model failed.
    #[error("the model failed: {0}")]
    Model(#[from] orrery_models::Error),
    /// A stored model does not load.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The engine is shutting down.
    #[error(transparent)]
    Stopped(#[from] writes::WriterStopped),
}

/// A rule that does not parse is the request's (or the configuration's) error, naming its
/// field.
impl From<RuleError> for EngineError {
    fn from(e: RuleError) -> EngineError {
        EngineError::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

/// Result of engine calls.
pub type EngineResult<T> = Result<T, EngineError>;

/// How a list was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Collaborative filtering blended with content match.
    Hybrid,
    /// Collaborative filtering alone.
    Collaborative,
    /// Content match (categories and tags) backed by popularity.
    Content,
    /// A new user: stated interests and first interactions, backed by popularity.
    ColdStart,
    /// Nothing known about the user: popularity (within their demographic group if known).
    Popularity,
}

impl Method {
    /// The name it is serialized under.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Hybrid => "hybrid",
            Method::Collaborative => "collaborative",
            Method::Content => "content",
            Method::ColdStart => "cold_start",
            Method::Popularity => "popularity",
        }
    }
}

/// Which notion of similarity `GET /items/{id}/similar` uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SimilarBy {
    /// The active model where it knows the item, else content.
    #[default]
    Auto,
    /// The active model's item factors or neighbours.
    Collaborative,
    /// The items' text embeddings (or shared categories and tags without them).
    Content,
}

/// What a similar-items list was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SimilarityBasis {
    /// The active model's item similarity (cosine of item factors, or its neighbours).
    Model,
    /// Cosine of the items' text embeddings, from the vector index.
    Embeddings,
    /// Cosine of the items' category and tag sets.
    CategoriesAndTags,
}

/// Items similar to one item.
#[derive(Debug, Clone)]
pub struct SimilarItems {
    /// `collaborative` or `content`.
    pub method: Method,
    /// What the scores are.
    pub basis: SimilarityBasis,
    /// Most similar first.
    pub items: Vec<RankedItem>,
    /// The id the served list is recorded under (`None` when recording is off).
    pub recommendation_id: Option<String>,
}

/// Items offered to a new user to rate.
#[derive(Debug, Clone)]
pub struct Onboarding {
    /// Popular items spread across categories.
    pub items: Vec<RankedItem>,
    /// The id the served list is recorded under (`None` when recording is off).
    pub recommendation_id: Option<String>,
}

/// Users with taste close to one user's.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SimilarUsers {
    /// The user.
    pub user_id: String,
    /// The active model's algorithm.
    pub algorithm: String,
    /// The active model's version.
    pub model_version: i64,
    /// How similarity was measured: `factors` (cosine of the model's user factors) or
    /// `shared_items` (Jaccard index of the item sets, for models without factors).
    pub basis: UserSimilarity,
    /// Most similar first.
    pub similar: Vec<UserNeighbour>,
}

/// One user with similar taste.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserNeighbour {
    /// The user.
    pub user_id: String,
    /// Cosine of the user factors, or the Jaccard index of the item sets.
    pub similarity: f32,
    /// Items both users interacted with (in the model's training data for them).
    pub items_in_common: usize,
}

/// One recommended item and the parts of its score.
#[derive(Debug, Clone)]
pub struct RankedItem {
    /// The item.
    pub record: ItemRecord,
    /// The blended score, higher is better.
    pub score: f32,
    /// Normalized collaborative score, when a model scored the item.
    pub collaborative: Option<f32>,
    /// Content match with the user's profile, when there is a profile.
    pub content: Option<f32>,
    /// Popularity in [0, 1].
    pub popularity: f32,
    /// Categories and tags of the item the user likes.
    pub matched: Vec<String>,
    /// The liked item most similar to this one, and how similar.
    pub because: Option<(String, String, f32)>,
    /// Which signals produced this item.
    pub method: Method,
    /// Which of the flow's sources proposed it (`model`, `neighbours`, `content`,
    /// `popular`).
    pub sources: Vec<&'static str>,
    /// The product of the rules' boosts that matched it (1: none).
    pub boost: f32,
    /// Why it is there, in one sentence: the parts of its score that carried a material
    /// share of it, with their numbers.
    pub explanation: String,
}

/// A recommendation list.
#[derive(Debug, Clone)]
pub struct Recommendations {
    /// How it was made.
    pub method: Method,
    /// The items, best first.
    pub items: Vec<RankedItem>,
    /// The user's stored interactions.
    pub interactions: usize,
    /// The model used, if any: (version, algorithm).
    pub model: Option<(i64, String)>,
    /// Weight of the collaborative part in hybrid lists.
    pub cf_weight: f32,
    /// Why the list looks as it does, in one sentence.
    pub explanation: String,
    /// The id the served list is recorded under (`None` when recording is off).
    pub recommendation_id: Option<String>,
    /// The running experiment and the variant the user was served as, if any.
    pub experiment: Option<(String, String)>,
}

/// What a recommendation request asks for.
#[derive(Debug, Clone)]
pub struct RecommendOptions {
    /// Items to return.
    pub n: usize,
    /// Items to skip (paging).
    pub offset: usize,
    /// Item ids never to return.
    pub exclude: Vec<String>,
    /// Only items in this category (`Comedy` or `genre:Comedy`).
    pub category: Option<String>,
    /// Use the collaborative model.
    pub use_cf: bool,
    /// Use content match.
    pub use_content: bool,
    /// Weight of the collaborative part, in [0, 1]; `None`: the flow's configured one.
    pub cf_weight: Option<f32>,
    /// Compute `matched` and `because` for each item.
    pub reasons: bool,
    /// Diversity re-ranking (maximal marginal relevance) λ in (0, 1]; 1 = none.
    pub mmr_lambda: f32,
    /// A named rule preset of `[flow.presets]`.
    pub preset: Option<String>,
    /// The request's own filter and boosts, applied with the preset's.
    pub rules: RuleText,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        RecommendOptions {
            n: 10,
            offset: 0,
            exclude: Vec::new(),
            category: None,
            use_cf: true,
            use_content: true,
            cf_weight: None,
            reasons: false,
            mmr_lambda: 1.0,
            preset: None,
            rules: RuleText::default(),
        }
    }
}

/// A new user described by what they told the service.
#[derive(Debug, Clone, Default)]
pub struct ColdStartProfile {
    /// Interests or favourite genres.
    pub interests: Vec<String>,
    /// Demographics.
    pub gender: Option<String>,
    /// Demographics.
    pub age: Option<i32>,
    /// Demographics.
    pub occupation: Option<String>,
    /// Onboarding ratings: (item id, rating 1–5).
    pub ratings: Vec<(String, f32)>,
}

/// A predicted score for one (user, item) pair.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Prediction {
    /// The user.
    pub user_id: String,
    /// The item.
    pub item_id: String,
    /// The model's raw score, the number it ranks items by: for a rating model its
    /// unclipped prediction, which can leave the rating scale (5.15 on a 0.5–5 scale
    /// ranks above 5.0); for a ranking model a preference on no fixed scale.
    pub score: f32,
    /// The rating a rating model predicts: `score` clipped to the training ratings'
    /// range. Absent for ranking models, whose scores are not ratings.
    pub predicted_rating: Option<f32>,
    /// Whether the user was in the training data (else their history was folded in).
    pub known_user: bool,
    /// The algorithm.
    pub algorithm: String,
    /// The model version.
    pub model_version: i64,
}

/// The served models: at most one of each purpose, as the registry marks them active.
#[derive(Debug, Clone, Default)]
pub struct ActiveModels {
    /// The ranking model (top-N lists).
    pub ranking: Option<Arc<ServingModel>>,
    /// The rating model (predicted ratings).
    pub rating: Option<Arc<ServingModel>>,
}

impl ActiveModels {
    /// These models with `model` in the slot of its purpose.
    pub fn with(mut self, model: Arc<ServingModel>) -> ActiveModels {
        match model.info.purpose {
            ModelPurpose::Ranking => self.ranking = Some(model),
            ModelPurpose::Rating => self.rating = Some(model),
        }
        self
    }

    /// These models with `model` ranking the lists, whatever its purpose (an
    /// experiment's variant).
    pub fn listing_with(mut self, model: Arc<ServingModel>) -> ActiveModels {
        self.ranking = Some(model);
        self
    }

    /// The served model of `purpose`.
    pub fn of(&self, purpose: ModelPurpose) -> Option<&Arc<ServingModel>> {
        match purpose {
            ModelPurpose::Ranking => self.ranking.as_ref(),
            ModelPurpose::Rating => self.rating.as_ref(),
        }
    }

    /// The model lists are ranked with: the ranking model, else the rating model (a
    /// registry that holds only a rating model still serves lists).
    fn lists(&self) -> Option<Arc<ServingModel>> {
        self.ranking.clone().or_else(|| self.rating.clone())
    }
}

/// The catalog and the active models, as one request sees them.
pub struct Snapshot {
    /// The recommendable items.
    pub catalog: Arc<Catalog>,
    /// The model lists are ranked with (see [`ActiveModels`]).
    pub model: Option<Arc<ServingModel>>,
    /// Every served model, by purpose.
    pub models: ActiveModels,
    /// Catalog index → model index (`u32::MAX` when the model does not know the item).
    to_model: Vec<u32>,
    /// Model index → catalog index (`u32::MAX` when the catalog has no such item).
    from_model: Vec<u32>,
    /// Whether each catalog slot holds an item that may be recommended.
    live: Vec<bool>,
    /// The popularity that stands for items newer than the model: the mean of the live
    /// items it knows (see [`Snapshot::measured_popularity`]); `None` when every live
    /// item is known or there is no model.
    unmeasured_popularity: Option<f32>,
    /// Catalog popularity in [0, 1].
    popularity: Vec<f32>,
    /// Live slots, most popular first.
    by_popularity: Vec<ItemIdx>,
    /// Popularity blended with a demographic group's, per group (gender, age bucket,
    /// occupation), computed on first use: a few hundred groups at most, and each request
    /// would otherwise redo a pass over the catalog.
    group_popularity: Mutex<HashMap<Vec<String>, GroupPopularity>>,
}

const NOT_IN_MODEL: u32 = u32::MAX;

/// A demographic group's popularity scores, and whether the catalog knew the group.
type GroupPopularity = (Arc<Vec<f32>>, bool);

impl Snapshot {
    fn new(catalog: Arc<Catalog>, models: ActiveModels) -> Snapshot {
        let model = models.lists();
        let to_model: Vec<u32> = match &model {
            Some(m) => (0..catalog.slots() as ItemIdx)
                .map(|i| {
                    catalog
                        .item(i)
                        .and_then(|item| m.item_index(&item.record.id))
                        .unwrap_or(NOT_IN_MODEL)
                })
                .collect(),
            None => Vec::new(),
        };
        let mut from_model = vec![NOT_IN_MODEL; model.as_ref().map_or(0, |m| m.model.n_items())];
        for (slot, &m) in to_model.iter().enumerate() {
            if let Some(entry) = from_model.get_mut(m as usize) {
                *entry = slot as u32;
            }
        }
        let popularity = catalog.popularity_scores();
        let live: Vec<bool> = (0..catalog.slots() as ItemIdx)
            .map(|i| catalog.is_live(i))
            .collect();
        let mut by_popularity: Vec<ItemIdx> = (0..catalog.slots() as ItemIdx)
            .filter(|&i| live[i as usize])
            .collect();
        by_popularity.sort_by(|&a, &b| {
            popularity[b as usize]
                .total_cmp(&popularity[a as usize])
                .then(a.cmp(&b))
        });
        let unmeasured_popularity = model.as_ref().and_then(|_| {
            let known = |i: usize| live[i] && to_model[i] != NOT_IN_MODEL;
            let any_unknown = (0..live.len()).any(|i| live[i] && !known(i));
            let measured: Vec<f32> = (0..live.len())
                .filter(|&i| known(i))
                .map(|i| popularity[i])
                .collect();
            any_unknown.then(|| measured.iter().sum::<f32>() / measured.len().max(1) as f32)
        });
        Snapshot {
            catalog,
            model,
            models,
            to_model,
            from_model,
            live,
            unmeasured_popularity,
            popularity,
            by_popularity,
            group_popularity: Mutex::new(HashMap::new()),
        }
    }

    /// The model predictions come from: the rating model, else the ranking model.
    pub fn predictor(&self) -> Option<&Arc<ServingModel>> {
        self.models.rating.as_ref().or(self.model.as_ref())
    }

    /// The rating model when it serves beside a ranking model (not also the lists).
    pub fn rating_beside_lists(&self) -> Option<&Arc<ServingModel>> {
        self.models
            .ranking
            .as_ref()
            .and(self.models.rating.as_ref())
    }

    /// Whether a catalog slot holds an item that may be recommended.
    pub fn is_live(&self, slot: ItemIdx) -> bool {
        self.live.get(slot as usize).copied().unwrap_or(false)
    }

    /// Live slots, most popular first.
    pub fn by_popularity(&self) -> &[ItemIdx] {
        &self.by_popularity
    }

    /// The catalog slot of a model index.
    pub fn catalog_slot(&self, m: ItemIdx) -> Option<ItemIdx> {
        self.from_model
            .get(m as usize)
            .copied()
            .filter(|&s| s != NOT_IN_MODEL)
    }

    /// An item's popularity from `popularity` (per slot), or, for an item newer than the
    /// active model, the mean popularity of the items it knows: the catalog counts a new
    /// item's interactions only from the next training on, so its zero says "not measured
    /// yet", not "unpopular", and would bury every new item under the popular ones.
    pub fn measured_popularity(&self, popularity: &[f32], slot: ItemIdx) -> f32 {
        match self.unmeasured_popularity {
            Some(mean) if self.model_index(slot).is_none() => mean,
            _ => popularity.get(slot as usize).copied().unwrap_or(0.0),
        }
    }

    /// Popularity in [0, 1] as the demographic group of `gender`, `age` and `occupation`
    /// sees it: the global one averaged with the group's, or the global one alone; and
    /// whether the catalog knew the group.
    fn popularity_for(
        &self,
        gender: Option<&str>,
        age: Option<i32>,
        occupation: Option<&str>,
    ) -> GroupPopularity {
        let keys = catalog::demographic_keys(gender, age, occupation);
        if let Ok(cache) = self.group_popularity.lock()
            && let Some(found) = cache.get(&keys)
        {
            return found.clone();
        }
        let demographic = self.catalog.demographic_scores(&keys);
        let found = (
            Arc::new(blend_popularity(&self.popularity, demographic.as_deref())),
            demographic.is_some(),
        );
        if let Ok(mut cache) = self.group_popularity.lock() {
            cache.insert(keys, found.clone());
        }
        found
    }

    /// The graph index over the active model's items, when the catalog has more than
    /// `exact_items` slots and the model can be searched that way: then the flow's
    /// sources search it instead of scoring every item.
    pub fn factor_index(&self, exact_items: usize) -> Option<&flow::retrieval::FactorIndex> {
        if self.catalog.slots() <= exact_items {
            return None;
        }
        self.model.as_deref()?.factor_index(exact_items)
    }

    /// The model index of a catalog item.
    pub fn model_index(&self, idx: ItemIdx) -> Option<ItemIdx> {
        self.to_model
            .get(idx as usize)
            .copied()
            .filter(|&m| m != NOT_IN_MODEL)
    }
}

/// Settings of the engine.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Users with fewer interactions get cold-start lists.
    pub cold_start_threshold: usize,
    /// Days after which an interaction counts half in a content profile (0: no decay).
    pub half_life_days: f64,
    /// Event weights, as training uses them.
    pub weights: EventWeights,
    /// The process's text encoder (items in the background, interests per request).
    pub encoder: SharedEncoder,
    /// How many candidates each source of the flow proposes.
    pub flow: FlowSettings,
    /// What is recorded of served lists and how outcomes count.
    pub impressions: impressions::ImpressionSettings,
}

/// Cached user views beyond this many are dropped (and rebuilt on demand).
const MAX_CACHED_VIEWS: usize = 200_000;

/// Every user's record and history as the store held them when they were read: a user
/// nobody changed since is answered from here instead of a store query, which at tens of
/// millions of interactions is most of a list's cost.
struct StoredUsers {
    /// The engine's generation before the read began: a user changed afterwards has a
    /// higher one (see [`Engine::touch_user`]) and is read from the store.
    generation: u64,
    histories: UserHistories,
}

/// The serving engine.
pub struct Engine {
    store: Store,
    settings: EngineSettings,
    snapshot: ArcSwap<Snapshot>,
    /// Serializes snapshot replacements, so that a catalog write and a model swap do not
    /// undo each other.
    writer: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    user_generations: RwLock<HashMap<String, u64>>,
    views: RwLock<HashMap<String, Arc<UserView>>>,
    /// Bumped whenever every view is dropped, so that a view read before is not cached.
    views_epoch: AtomicU64,
    stored_users: ArcSwapOption<StoredUsers>,
    known_users: RwLock<HashSet<String>>,
    /// Item embeddings and the content model over them.
    content: ContentIndex,
    /// Writes interactions, concurrent requests' in one transaction.
    events: writes::EventWriter,
    /// Recommendation lists shared through Redis (a no-op without one).
    cache: ListCache,
    /// Served lists and their outcomes.
    impressions: impressions::Recorder,
    /// The running experiment, as this server applies it.
    experiment: ArcSwapOption<experiments::Running>,
    /// What the exploration slot knows of items, when lists have one.
    bandit: Option<explore::Bandit>,
}

pub(crate) fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
    /// An engine over the store's current contents, serving its active model version if
    /// one loads (a version that does not load is logged and skipped).
    pub async fn start(
        store: Store,
        settings: EngineSettings,
        cache: ListCache,
    ) -> EngineResult<Engine> {
        // A share out of range or a preset that does not parse is a configuration error,
        // found before serving.
        settings
            .flow
            .check()
            .map_err(|(field, reason)| EngineError::Invalid { field, reason })?;
        for (name, text) in &settings.flow.presets {
            Rules::compile(text, &format!("flow.presets.{name}."))?;
        }
        settings
            .impressions
            .check()
            .map_err(|(field, reason)| EngineError::Invalid { field, reason })?;
        // Nothing is touched before the engine exists: the first read is of generation 1.
        let generation = 1;
        let dataset = store.load_dataset(&settings.weights).await?;
        let catalog = Arc::new(Catalog::from_dataset(&dataset));
        let known_users = dataset.users().ids().iter().cloned().collect();
        let stored_users = StoredUsers {
            generation,
            histories: dataset.into_user_histories(),
        };
        let events = writes::EventWriter::start(store.clone());
        let impressions = impressions::Recorder::start(
            store.clone(),
            settings.impressions.clone(),
            settings.flow.exploration.is_on(),
        );
        let bandit = if settings.flow.exploration.is_on() {
            if !settings.impressions.record {
                tracing::warn!(
                    "exploration learns from recorded lists, and [impressions] record is off: \
                     its slot will follow the prior alone"
                );
            }
            Some(explore::Bandit::start(store.clone(), settings.flow.exploration.clone()).await?)
        } else {
            None
        };
        let engine = Engine {
            store,
            settings,
            snapshot: ArcSwap::from_pointee(Snapshot::new(catalog, ActiveModels::default())),
            writer: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(generation),
            user_generations: RwLock::new(HashMap::new()),
            views: RwLock::new(HashMap::new()),
            views_epoch: AtomicU64::new(0),
            stored_users: ArcSwapOption::from_pointee(stored_users),
            known_users: RwLock::new(known_users),
            content: ContentIndex::default(),
            events,
            cache,
            impressions,
            experiment: ArcSwapOption::empty(),
            bandit,
        };
        for active in engine.store.active_model_versions().await? {
            let version = active.version;
            match engine.load_version(version).await {
                Ok(model) => engine.serve_model(model).await,
                Err(error) => tracing::warn!(
                    version,
                    "the active model version does not load and is not served: {error}"
                ),
            }
        }
        if let Err(error) = engine.refresh_experiment().await {
            tracing::warn!("the running experiment is not applied: {error}");
        }
        Ok(engine)
    }

    /// The store the engine reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The shared list cache.
    pub fn cache(&self) -> &ListCache {
        &self.cache
    }

    /// Served lists and their outcomes.
    pub fn impressions(&self) -> &impressions::Recorder {
        &self.impressions
    }

    /// How the served lists `filter` selects fared.
    pub async fn list_metrics(
        &self,
        filter: &orrery_store::ListFilter,
    ) -> EngineResult<impressions::ListMetrics> {
        Ok(self.impressions.metrics(&self.store, filter).await?)
    }

    /// Applies the stored running experiment, or none when none runs: loads the model
    /// versions its variants name. Called at start, after each change of an experiment
    /// made here, and when another server announces one.
    pub async fn refresh_experiment(&self) -> EngineResult<()> {
        let Some(experiment) = experiments::running(&self.store).await? else {
            self.experiment.store(None);
            return Ok(());
        };
        if let Some(current) = self.experiment.load_full()
            && current.experiment == experiment
        {
            return Ok(());
        }
        let mut models = Vec::with_capacity(experiment.variants.len());
        for variant in &experiment.variants {
            models.push(match variant.model_version {
                None => None,
                Some(version) => Some(self.prepared(self.load_version(version).await?).await),
            });
        }
        tracing::info!(experiment = %experiment.id, "applying the running experiment");
        self.experiment
            .store(Some(Arc::new(experiments::Running::new(
                experiment, models,
            ))));
        Ok(())
    }

    /// Creates a draft experiment (see [`experiments`]).
    pub async fn create_experiment(
        &self,
        new: experiments::NewExperiment,
    ) -> EngineResult<experiments::Experiment> {
        experiments::create(&self.store, &self.settings.flow.presets, new).await
    }

    /// Starts, pauses or stops an experiment, and serves accordingly at once.
    pub async fn change_experiment(
        &self,
        id: &str,
        action: experiments::ExperimentAction,
    ) -> EngineResult<experiments::Experiment> {
        let changed = experiments::act(&self.store, id, action).await?;
        self.refresh_experiment().await?;
        Ok(changed)
    }

    /// Deletes an experiment that is not running.
    pub async fn delete_experiment(&self, id: &str) -> EngineResult<()> {
        experiments::delete(&self.store, id).await?;
        self.refresh_experiment().await
    }

    /// The running experiment's variant `user` is served as, as `experiment/variant`
    /// (what the list cache keys by); `None` outside any experiment.
    pub fn experiment_arm(&self, user: &str) -> Option<String> {
        let running = self.experiment.load();
        let running = running.as_deref()?;
        let index = running.experiment.assign(user)?;
        Some(format!(
            "{}/{}",
            running.experiment.id, running.experiment.variants[index].name
        ))
    }

    /// Records a list about to be served, made for `experiment`'s variant if any; its
    /// `recommendation_id`.
    fn served(
        &self,
        user: Option<&str>,
        surface: impressions::Surface,
        method: Method,
        model: Option<&(i64, String)>,
        experiment: Option<&(String, String)>,
        items: &[RankedItem],
    ) -> Option<String> {
        if !self.impressions.is_recording() {
            return None;
        }
        self.impressions.served(impressions::ServedList {
            user: user.map(str::to_owned),
            surface,
            method: method.as_str().to_owned(),
            model: model.cloned(),
            experiment: experiment.cloned(),
            explored: items
                .iter()
                .position(|i| i.sources.contains(&flow::EXPLORATION))
                .map(|p| p as u32 + 1),
            items: items.iter().map(|i| i.record.id.clone()).collect(),
        })
    }

    /// The content side: item embeddings and the content model over the catalog.
    pub fn content(&self) -> &ContentIndex {
        &self.content
    }

    /// The settings.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// The text encoder, resolved (off the async threads) on the first call.
    pub async fn encoder(&self) -> Arc<Encoder> {
        if let Some(encoder) = self.settings.encoder.resolved() {
            return encoder;
        }
        let handle = self.settings.encoder.clone();
        match tokio::task::spawn_blocking(move || handle.get()).await {
            Ok(encoder) => encoder,
            Err(e) => {
                tracing::warn!("resolving the text encoder stopped ({e}): feature hashing");
                Arc::new(Encoder::feature_hashing())
            }
        }
    }

    /// The current catalog and model; hold it for the whole request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The scale a new rating must lie on: the one kept with the stored data, else five
    /// stars (0.5–5).
    pub fn accepted_rating_scale(&self) -> RatingScale {
        *self.snapshot.load().catalog.accepted_rating_scale()
    }

    /// The model lists are ranked with, if any.
    pub fn active_model(&self) -> Option<Arc<ServingModel>> {
        self.snapshot.load().model.clone()
    }

    /// The served models, by purpose.
    pub fn active_models(&self) -> ActiveModels {
        self.snapshot.load().models.clone()
    }

    /// Loads a registry version (decoding off the async threads).
    pub async fn load_version(&self, version: i64) -> EngineResult<ServingModel> {
        let info = self
            .store
            .model_version(version)
            .await?
            .ok_or(EngineError::UnknownVersion(version))?;
        let blob = self
            .store
            .model_blob(version)
            .await?
            .ok_or(EngineError::UnknownVersion(version))?;
        let exact_items = self.settings.flow.exact_items;
        let decoded = tokio::task::spawn_blocking(move || {
            let model = ServingModel::from_bundle(info, &blob)?;
            model.prepare(exact_items);
            Ok::<_, BundleError>(model)
        })
        .await;
        match decoded {
            Ok(result) => Ok(result?),
            Err(join) => Err(EngineError::Invalid {
                field: "version".into(),
                reason: format!("decoding the model stopped: {join}"),
            }),
        }
    }

    /// Swaps `model` in as the served model of its purpose: requests that already hold a
    /// snapshot finish on the old model.
    pub async fn serve_model(&self, model: ServingModel) {
        let model = self.prepared(model).await;
        let _guard = self.writer.lock().await;
        let current = self.snapshot.load_full();
        let next = Arc::new(Snapshot::new(
            current.catalog.clone(),
            current.models.clone().with(model),
        ));
        self.snapshot.store(next.clone());
        self.warm_up(next);
    }

    /// Searches, in the background, the neighbours of the snapshot's most popular items
    /// in its model's index (large catalogs), which the flow's neighbours source asks for
    /// most; one thread, so that serving keeps the other cores.
    fn warm_up(&self, snapshot: Arc<Snapshot>) {
        let exact_items = self.settings.flow.exact_items;
        if snapshot.factor_index(exact_items).is_none() {
            return;
        }
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            if let Some(index) = snapshot.factor_index(exact_items) {
                let by_popularity = snapshot.by_popularity().iter();
                index.warm_neighbours(by_popularity.filter_map(|&s| snapshot.model_index(s)));
                tracing::info!(
                    seconds = started.elapsed().as_secs_f32(),
                    "searched the neighbours of the model's popular items"
                );
            }
        });
    }

    /// `model` with its indexes built, off the async threads.
    async fn prepared(&self, model: ServingModel) -> Arc<ServingModel> {
        let model = Arc::new(model);
        let exact_items = self.settings.flow.exact_items;
        let building = model.clone();
        if let Err(join) = tokio::task::spawn_blocking(move || building.prepare(exact_items)).await
        {
            // The index is then built on the first request that needs it.
            tracing::warn!("preparing the model stopped: {join}");
        }
        model
    }

    /// Serves the registry's active versions that are not the ones served (another server
    /// activated or trained them): the way several servers on one database agree on their
    /// models. Returns the versions now served that changed.
    pub async fn follow_registry(&self) -> EngineResult<Vec<i64>> {
        let mut changed = Vec::new();
        for active in self.store.active_model_versions().await? {
            let served = self.active_models();
            if served
                .of(active.purpose)
                .is_some_and(|m| m.version() == active.version)
            {
                continue;
            }
            let model = self.load_version(active.version).await?;
            let _guard = self.writer.lock().await;
            // Activations serve after they are recorded, so a version recorded meanwhile
            // wins.
            let still_active = self.store.active_model_version(active.purpose).await?;
            if still_active.is_none_or(|v| v.version != active.version) {
                continue;
            }
            let current = self.snapshot.load_full();
            let models = current.models.clone().with(Arc::new(model));
            let next = Snapshot::new(current.catalog.clone(), models);
            self.snapshot.store(Arc::new(next));
            changed.push(active.version);
        }
        Ok(changed)
    }

    /// Serves `model`, trained on `dataset`, with the catalog refreshed from the same
    /// snapshot (fresh popularity); items written since the snapshot are kept.
    pub async fn serve_trained(&self, model: ServingModel, dataset: &Dataset) {
        let model = self.prepared(model).await;
        let fresh = Catalog::from_dataset(dataset);
        let _guard = self.writer.lock().await;
        let current = self.snapshot.load_full();
        let mut catalog = fresh;
        for idx in 0..current.catalog.slots() as ItemIdx {
            let Some(item) = current.catalog.item(idx) else {
                continue;
            };
            if item.deleted {
                if catalog.get(&item.record.id).is_some() {
                    catalog = catalog.without_item(&item.record.id);
                }
            } else if catalog.get(&item.record.id).is_none() {
                catalog = catalog.with_item(item.record.clone());
            }
        }
        let next = Arc::new(Snapshot::new(
            Arc::new(catalog),
            current.models.clone().with(model),
        ));
        self.snapshot.store(next.clone());
        self.warm_up(next);
        // The snapshot may hold items written by other processes (imports).
        self.content.request(EmbedJob::All);
    }

    /// Reads the catalog and the users again from the store, keeping the served model:
    /// for changes another process made without naming them (an import).
    pub async fn reload_catalog(&self) -> EngineResult<()> {
        // Users changed from here on are newer than what the read below sees; those
        // changed before are in it, so their generations stay.
        let generation = self.generation.load(Ordering::SeqCst);
        let dataset = self.store.load_dataset(&self.settings.weights).await?;
        let fresh = Catalog::from_dataset(&dataset);
        self.replace_catalog(|_| fresh).await;
        {
            let mut known = write(&self.known_users);
            known.clear();
            known.extend(dataset.users().ids().iter().cloned());
        }
        self.stored_users.store(Some(Arc::new(StoredUsers {
            generation,
            histories: dataset.into_user_histories(),
        })));
        self.drop_views();
        self.content.request(EmbedJob::All);
        Ok(())
    }

    async fn replace_catalog(&self, change: impl FnOnce(&Catalog) -> Catalog) {
        let _guard = self.writer.lock().await;
        let current = self.snapshot.load_full();
        let catalog = Arc::new(change(&current.catalog));
        self.snapshot
            .store(Arc::new(Snapshot::new(catalog, current.models.clone())));
    }

    // ----- catalog and users -------------------------------------------------------------

    /// Stores an item (merging with the stored one) and serves it at once.
    pub async fn put_item(&self, item: &ItemRecord) -> EngineResult<ItemRecord> {
        self.store.upsert_item(item).await?;
        let stored = self
            .store
            .get_item(&item.id)
            .await?
            .ok_or_else(|| EngineError::UnknownItem(item.id.clone()))?;
        let record = stored.clone();
        self.replace_catalog(|c| c.with_item(record)).await;
        self.content.request(EmbedJob::Items(vec![item.id.clone()]));
        self.announce(Change::Items(vec![item.id.clone()])).await;
        self.cache.everything_changed().await;
        Ok(stored)
    }

    /// Deletes an item and its interactions; `false` when it did not exist.
    pub async fn delete_item(&self, id: &str) -> EngineResult<bool> {
        let existed = self.store.delete_item(id).await?;
        self.replace_catalog(|c| c.without_item(id)).await;
        self.content.request(EmbedJob::Items(vec![id.to_owned()]));
        self.announce(Change::Items(vec![id.to_owned()])).await;
        self.cache.everything_changed().await;
        Ok(existed)
    }

    /// A numeric id one above the largest in the catalog, for clients that let the
    /// service number new items.
    pub fn next_item_id(&self) -> String {
        (self.snapshot.load().catalog.max_numeric_id() + 1).to_string()
    }

    /// Stores a user (created or changed) and makes their next list reflect it.
    pub async fn put_user(&self, user: &UserRecord) -> EngineResult<()> {
        self.store.upsert_user(user).await?;
        write(&self.known_users).insert(user.id.clone());
        self.user_changed(&user.id).await;
        Ok(())
    }

    /// Deletes a user and their interactions; `false` when there was none.
    pub async fn delete_user(&self, id: &str) -> EngineResult<bool> {
        let existed = self.store.delete_user(id).await?;
        write(&self.known_users).remove(id);
        self.user_changed(id).await;
        Ok(existed)
    }

    /// Deletes every user and their interactions; returns how many there were.
    pub async fn delete_all_users(&self) -> EngineResult<u64> {
        let deleted = self.store.delete_all_users().await?;
        self.forget_all_users();
        self.announce(Change::Unknown).await;
        self.cache.everything_changed().await;
        Ok(deleted)
    }

    /// Drops a user's cached view and lists here and on every other server.
    async fn user_changed(&self, id: &str) {
        self.touch_user(id);
        self.announce(Change::Users(vec![id.to_owned()])).await;
        self.cache.users_changed([id]).await;
    }

    fn forget_all_users(&self) {
        write(&self.known_users).clear();
        self.stored_users.store(None);
        self.drop_views();
        self.generation.fetch_add(1, Ordering::SeqCst);
        write(&self.user_generations).clear();
    }

    fn drop_views(&self) {
        let mut views = write(&self.views);
        self.views_epoch.fetch_add(1, Ordering::SeqCst);
        views.clear();
    }

    /// Tells the other servers on the database about `change`, waiting for it: a client
    /// that got its answer can count on every server having heard.
    async fn announce(&self, change: Change) {
        if let Err(e) = self.store.announce(&change).await {
            tracing::warn!("announcing a change to other servers failed: {e}");
        }
    }

    /// Follows a change another server announced: its users' cached views are dropped
    /// (their next request reads the store), its items are read again into the catalog.
    pub async fn apply_remote(&self, change: Change) -> EngineResult<()> {
        let applied = self.apply_remote_change(change.clone()).await;
        // The list cache after the views: a list computed before this server heard of
        // the change must not be read afterwards.
        self.cache.apply_remote(&change).await;
        applied
    }

    async fn apply_remote_change(&self, change: Change) -> EngineResult<()> {
        match change {
            Change::Users(ids) => {
                for id in &ids {
                    write(&self.known_users).remove(id.as_str());
                    self.touch_user(id);
                }
            }
            Change::Items(ids) => {
                let mut stored = Vec::with_capacity(ids.len());
                for id in ids {
                    let record = self.store.get_item(&id).await?;
                    stored.push((id, record));
                }
                self.replace_catalog(|catalog| {
                    let mut next = catalog.clone();
                    self.content.request(EmbedJob::Items(
                        stored.iter().map(|(id, _)| id.clone()).collect(),
                    ));
                    for (id, record) in stored {
                        next = match record {
                            Some(record) => next.with_item(record),
                            None if next.get(&id).is_some() => next.without_item(&id),
                            None => next,
                        };
                    }
                    next
                })
                .await;
            }
            Change::ActiveModel => {
                for version in self.follow_registry().await? {
                    tracing::info!(version, "serving the version another process activated");
                }
            }
            Change::Experiments => self.refresh_experiment().await?,
            Change::Imported => {
                self.reload_catalog().await?;
                tracing::info!("read the catalog and users again after another process's import");
            }
            Change::Unknown => {
                tracing::warn!(
                    "announcements from other servers may have been missed: the catalog and \
                     the users are read again"
                );
                self.reload_catalog().await?;
                self.follow_registry().await?;
                self.refresh_experiment().await?;
            }
        }
        Ok(())
    }

    /// Whether a user exists (memory first, then the store).
    pub async fn user_exists(&self, id: &str) -> EngineResult<bool> {
        if read(&self.known_users).contains(id) {
            return Ok(true);
        }
        let exists = self.store.user_exists(id).await?;
        if exists {
            write(&self.known_users).insert(id.to_owned());
        }
        Ok(exists)
    }

    /// Whether an item exists (the catalog first, then the store).
    pub async fn item_exists(&self, id: &str) -> EngineResult<bool> {
        if self.snapshot.load().catalog.get(id).is_some() {
            return Ok(true);
        }
        Ok(self.store.item_exists(id).await?)
    }

    /// Marks a user's cached view stale (their next request rebuilds it).
    fn touch_user(&self, id: &str) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        write(&self.user_generations).insert(id.to_owned(), generation);
        write(&self.views).remove(id);
    }

    fn user_generation(&self, id: &str) -> u64 {
        read(&self.user_generations).get(id).copied().unwrap_or(0)
    }

    /// Stores interactions whose users and items all exist, then makes the next request
    /// of each user reflect them. Returns how many were new (repeats are skipped).
    ///
    /// `lists` is empty, or names for each event the served list that led to it (its
    /// `recommendation_id`) when the client knows it: each event is attributed to a list
    /// as an outcome (see [`impressions`]).
    pub async fn record_interactions(
        &self,
        events: &[InteractionRecord],
        lists: &[Option<String>],
    ) -> EngineResult<u64> {
        let users: HashSet<&str> = events.iter().map(|e| e.user.as_str()).collect();
        for user in &users {
            if !self.user_exists(user).await? {
                return Err(EngineError::UnknownUser((*user).to_owned()));
            }
        }
        let items: HashSet<&str> = events.iter().map(|e| e.item.as_str()).collect();
        for item in items {
            if !self.item_exists(item).await? {
                return Err(EngineError::UnknownItem(item.to_owned()));
            }
        }
        let inserted = self.events.write(events.to_vec()).await??;
        self.impressions.interacted(events, lists);
        for user in &users {
            self.touch_user(user);
        }
        self.announce(Change::Users(users.iter().map(|&u| u.to_owned()).collect()))
            .await;
        self.cache.users_changed(users).await;
        Ok(inserted)
    }

    /// A user's view: cached, or rebuilt from the store.
    pub async fn user_view(&self, id: &str) -> EngineResult<Arc<UserView>> {
        if let Some(view) = read(&self.views).get(id) {
            return Ok(view.clone());
        }
        let epoch = self.views_epoch.load(Ordering::SeqCst);
        let generation = self.user_generation(id);
        let view = match self.stored_view(id, generation) {
            Some(view) => view,
            None => {
                let (record, events) = self
                    .store
                    .user_with_interactions(id)
                    .await?
                    .ok_or_else(|| EngineError::UnknownUser(id.to_owned()))?;
                UserView::new(record, &events, &self.settings.weights)
            }
        };
        let view = Arc::new(view);
        // Cache it only if no event arrived and no view was dropped while it was read.
        if self.user_generation(id) == generation {
            let mut views = write(&self.views);
            if self.views_epoch.load(Ordering::SeqCst) == epoch {
                if views.len() >= MAX_CACHED_VIEWS {
                    views.clear();
                }
                views.insert(id.to_owned(), view.clone());
            }
        }
        Ok(view)
    }

    /// The user's view from the histories read at the start, unless the user changed
    /// after that read (`generation` is theirs) or was not in it.
    fn stored_view(&self, id: &str, generation: u64) -> Option<UserView> {
        let stored = self.stored_users.load_full()?;
        if generation > stored.generation {
            return None;
        }
        let histories = &stored.histories;
        let user = histories.index(id)?;
        Some(UserView::merged(
            histories.record(user)?.clone(),
            histories.events(user),
            users::history_of_row(histories.row(user), histories.items()),
        ))
    }

    /// The user's representation under `model`: the trained one while the stored history
    /// is what the model was trained on, else folded in from the stored history.
    fn repr(&self, model: &ServingModel, view: &UserView) -> EngineResult<Arc<UserRepr>> {
        if let Ok(cached) = view.repr.lock()
            && let Some((version, repr)) = cached.as_ref()
            && *version == model.version()
        {
            return Ok(repr.clone());
        }
        // Oldest first, as fold_in reads recency from the order.
        let history: Vec<(ItemIdx, f32)> = view
            .history
            .iter()
            .filter_map(|c| model.item_index(&c.item).map(|i| (i, c.value)))
            .collect();
        let mut by_item = history.clone();
        by_item.sort_by_key(|&(i, _)| i);
        let trained = model
            .user_index(&view.record.id)
            .and_then(|u| model.model.user(u).ok());
        let repr = match trained {
            Some(trained) if same_history(&trained.history, &by_item) => trained,
            // A user the model never saw is answered as the cold-start route answers a
            // newcomer: from their profile (the two-tower network's user tower reads the
            // demographics and stated genres) and their history.
            None => match model.model.cold_start(&view.record, &history) {
                Ok(repr) => repr,
                Err(error) => {
                    tracing::warn!(user = %view.record.id, "cold start failed: {error}");
                    model.model.fold_in(&[])?
                }
            },
            trained => match model.model.fold_in(&history) {
                Ok(repr) => repr,
                Err(error) => {
                    tracing::warn!(user = %view.record.id, "folding in failed: {error}");
                    match trained {
                        Some(trained) => trained,
                        None => model.model.fold_in(&[])?,
                    }
                }
            },
        };
        let repr = Arc::new(repr);
        if let Ok(mut cached) = view.repr.lock() {
            *cached = Some((model.version(), repr.clone()));
        }
        Ok(repr)
    }

    // ----- answers -----------------------------------------------------------------------

    /// Recommendations for a stored user: the flow over the user's stored history.
    pub async fn recommend(
        &self,
        user_id: &str,
        opts: &RecommendOptions,
    ) -> EngineResult<Recommendations> {
        if let Some(cf_weight) = opts.cf_weight {
            check_cf_weight(cf_weight)?;
        }
        // The user's variant, if an experiment runs: its model and settings stand in for
        // the server's where the request leaves them unset.
        let running = self.experiment.load_full();
        let arm = running
            .as_deref()
            .and_then(|r| r.experiment.assign(user_id).map(|i| (r, i)));
        let variant = arm.map(|(r, i)| &r.experiment.variants[i]);
        let snapshot = match arm {
            Some((running, index)) => running.snapshot(index, &self.snapshot()),
            None => self.snapshot(),
        };
        let experiment = arm.map(|(r, i)| {
            (
                r.experiment.id.clone(),
                r.experiment.variants[i].name.clone(),
            )
        });
        let preset = opts
            .preset
            .as_deref()
            .or(variant.and_then(|v| v.preset.as_deref()));
        let cf_weight = opts.cf_weight.or(variant.and_then(|v| v.cf_weight));
        let mmr_lambda = match variant.and_then(|v| v.mmr_lambda) {
            Some(lambda) if opts.mmr_lambda >= 1.0 => lambda,
            _ => opts.mmr_lambda,
        };
        let rules = self.rules(preset, &opts.rules)?;
        let view = self.user_view(user_id).await?;
        let catalog = &snapshot.catalog;
        let cells = view.cells(catalog);
        let seen = view.seen_slots(catalog, self.settings.flow.exclude_seen);
        let tokens = view.tokens(catalog);
        // The model and the content profile feed the flow's sources whatever the switches
        // say; `use_cf` and `use_content` only weigh the signals.
        let repr = match snapshot.model.as_deref() {
            Some(model) => Some(self.repr(model, &view)?),
            None => None,
        };
        let (popularity, _) = snapshot.popularity_for(
            view.record.gender.as_deref(),
            view.record.age,
            view.record.occupation.as_deref(),
        );
        let state = self.content.state(catalog);
        let encoded = self.encode_interests(&state, &view.record.interests).await;
        let content_profile = view.content_profile(
            &state,
            encoded.as_deref().map(Vec::as_slice),
            self.settings.half_life_days,
        );
        let exclude: Vec<ItemIdx> = opts
            .exclude
            .iter()
            .filter_map(|id| catalog.get(id))
            .collect();
        // Hashing the user and the hour on every request is wasted with exploration off.
        let slot = self.bandit.as_ref().and_then(|bandit| {
            bandit.slot(
                catalog,
                opts.offset..opts.offset.saturating_add(opts.n),
                exploration_seed(user_id),
            )
        });
        let list = flow::recommend(
            &snapshot,
            &state,
            &self.settings.flow,
            &FlowUser {
                cells: &cells,
                seen: &seen,
                interactions: blend_interactions(snapshot.model.as_deref(), view.interactions),
                repr: repr.as_deref(),
                tokens: &tokens,
                stated_interests: !view.record.interests.is_empty(),
                content_profile: content_profile.as_deref().map(Vec::as_slice),
                popularity: &popularity,
                sources: Some(&view.sources),
            },
            &FlowRequest {
                n: opts.n,
                offset: opts.offset,
                category: opts.category.as_deref(),
                exclude: &exclude,
                blend: self.blend(
                    snapshot.model.as_deref(),
                    view.interactions,
                    opts.use_cf,
                    opts.use_content,
                    cf_weight,
                    mmr_lambda,
                ),
                rules: &rules,
                explore: slot.as_ref(),
            },
        )?;
        let model_name = snapshot.model.as_ref().map(|m| m.info.algorithm.as_str());
        let items: Vec<RankedItem> = list
            .items
            .iter()
            .filter_map(|item| {
                let mut ranked = ranked_item(&snapshot, item)?;
                if opts.reasons {
                    let features = &catalog.item(item.ranked.item)?.features;
                    ranked.matched = tokens.matches(catalog, features, 3);
                    ranked.because = because(&snapshot, &view.history, item.ranked.item);
                }
                reasons::explain_list_item(&list.plan, model_name, &mut ranked);
                Some(ranked)
            })
            .collect();
        let method = method_of(list.plan.source);
        let cf_weight = list.plan.cf_weight;
        let model_used = snapshot
            .model
            .as_ref()
            .filter(|_| list.plan.cf_share > 0.0)
            .map(|m| (m.version(), m.info.algorithm.clone()));
        let explanation = describe(&list, view.interactions, model_used.as_ref());
        let recommendation_id = self.served(
            Some(user_id),
            impressions::Surface::User,
            method,
            model_used.as_ref(),
            experiment.as_ref(),
            &items,
        );
        Ok(Recommendations {
            method,
            items,
            interactions: view.interactions,
            model: model_used,
            cf_weight,
            explanation,
            recommendation_id,
            experiment,
        })
    }

    /// What training runs pass to choose the flow's settings from their data.
    pub fn flow_tuner(&self) -> Arc<dyn orrery_train::FlowTuner> {
        Arc::new(tune::PriorTuner {
            settings: self.settings.flow.clone(),
            cold_start_threshold: self.settings.cold_start_threshold,
        })
    }

    /// The flow's configuration and how it retrieves right now.
    pub fn flow_status(&self) -> flow::FlowStatus {
        let snapshot = self.snapshot();
        let exact_items = self.settings.flow.exact_items;
        let large = snapshot.catalog.slots() > exact_items;
        let model_index = snapshot
            .factor_index(exact_items)
            .zip(snapshot.model.as_deref())
            .map(|(index, m)| flow::IndexStatus {
                version: m.version(),
                items: index.len(),
                recall_at_10: index.recall(),
                search_list: index.search_list(),
            });
        let (popularity_prior, popularity_prior_from) = self
            .settings
            .flow
            .popularity_prior(snapshot.model.as_deref());
        flow::FlowStatus {
            stages: flow::STAGES.to_vec(),
            settings: self.settings.flow.clone(),
            catalog_items: snapshot.catalog.len(),
            retrieval: if large { "index" } else { "exact" },
            model_index,
            content_index: self.content.search_mode().map(|m| match m {
                orrery_content::SearchMode::Exact => "exact",
                orrery_content::SearchMode::Hnsw => "hnsw",
            }),
            cold_start_threshold: self.settings.cold_start_threshold,
            popularity_prior,
            popularity_prior_from,
        }
    }

    /// The rules of a request: its preset's (an unknown preset is an error naming the
    /// known ones) and its own, compiled.
    pub fn rules(&self, preset: Option<&str>, own: &RuleText) -> EngineResult<Rules> {
        let preset_rules = match preset {
            None => Rules::default(),
            Some(name) => {
                let presets = &self.settings.flow.presets;
                let text = presets.get(name).ok_or_else(|| EngineError::Invalid {
                    field: "preset".into(),
                    reason: if presets.is_empty() {
                        format!(
                            "no preset {name:?}: none is configured ([flow.presets] in orrery.toml)"
                        )
                    } else {
                        let known: Vec<&str> = presets.keys().map(String::as_str).collect();
                        format!("no preset {name:?}; known: {}", known.join(", "))
                    },
                })?;
                Rules::compile(text, &format!("presets.{name}."))?
            }
        };
        Ok(preset_rules.with(&Rules::compile(own, "")?))
    }

    /// The blend of a request served with `model`, with the engine's ramp and the flow's
    /// shares.
    fn blend(
        &self,
        model: Option<&ServingModel>,
        history: usize,
        use_cf: bool,
        use_content: bool,
        cf_weight: Option<f32>,
        mmr_lambda: f32,
    ) -> Blend {
        self.settings.flow.blend(
            model,
            history,
            use_cf,
            use_content,
            cf_weight,
            self.settings.cold_start_threshold,
            mmr_lambda,
        )
    }

    /// The embedding of `interests`, cached per text; `None` when there are none, when the
    /// content side does not use embeddings yet, or when encoding fails.
    async fn encode_interests(
        &self,
        state: &ContentState,
        interests: &[String],
    ) -> Option<Arc<Vec<f32>>> {
        let text = interests_text(interests);
        if text.is_empty() || state.vectors().is_none() {
            return None;
        }
        if let Some(v) = self.content.cached_interests(&text) {
            return Some(v);
        }
        let encoder = self.encoder().await;
        let owned = text.clone();
        let vector = tokio::task::spawn_blocking(move || encoder.encode(&owned))
            .await
            .ok()?
            .map_err(|e| tracing::warn!("encoding interests failed: {e}"))
            .ok()?;
        let vector = Arc::new(vector);
        self.content.cache_interests(text, vector.clone());
        Some(vector)
    }

    /// Recommendations for someone the service does not know yet, from what they said:
    /// the flow over their onboarding ratings and stated interests.
    pub async fn cold_start(
        &self,
        user: Option<&str>,
        profile_in: &ColdStartProfile,
        n: usize,
    ) -> EngineResult<Recommendations> {
        let snapshot = self.snapshot();
        let catalog = &snapshot.catalog;
        // Every rating is checked before any item is looked up: a bad value is the
        // request's error whatever it names.
        let scale = catalog.accepted_rating_scale();
        for (i, (_, rating)) in profile_in.ratings.iter().enumerate() {
            if let Some(reason) = scale.refusal(*rating) {
                return Err(EngineError::Invalid {
                    field: format!("ratings[{i}].rating"),
                    reason,
                });
            }
        }
        let mut ratings = Vec::with_capacity(profile_in.ratings.len());
        for (item, rating) in &profile_in.ratings {
            if catalog.get(item).is_none() {
                return Err(EngineError::UnknownItem(item.clone()));
            }
            ratings.push(HistoryCell {
                item: item.clone(),
                value: *rating,
                explicit: true,
                latest: 0,
                kinds: KindSet::of(&EventKind::Rating),
            });
        }
        let cells = users::place(catalog, &ratings);
        let seen = users::seen_slots(catalog, &ratings, self.settings.flow.exclude_seen);
        let tokens = Profile::new(catalog, &profile_in.interests, &cells);
        let (popularity, group_known) = snapshot.popularity_for(
            profile_in.gender.as_deref(),
            profile_in.age,
            profile_in.occupation.as_deref(),
        );
        // Onboarding ratings are folded into the active model; the two-tower network also
        // answers from demographics and stated genres alone, through its user tower.
        let mut folded = None;
        if let Some(model) = snapshot.model.as_deref() {
            let history: Vec<(ItemIdx, f32)> = ratings
                .iter()
                .filter_map(|c| model.item_index(&c.item).map(|i| (i, c.value)))
                .collect();
            let from_profile = model.model.algorithm() == Algorithm::Ncf;
            if !history.is_empty() || from_profile {
                let record = UserRecord {
                    interests: profile_in.interests.clone(),
                    gender: profile_in.gender.clone(),
                    age: profile_in.age,
                    occupation: profile_in.occupation.clone(),
                    ..UserRecord::default()
                };
                folded = Some(model.model.cold_start(&record, &history)?);
            }
        }
        let state = self.content.state(catalog);
        let encoded = self.encode_interests(&state, &profile_in.interests).await;
        let content_profile = state.profile_of_history(
            &ratings,
            &profile_in.interests,
            encoded.as_deref().map(Vec::as_slice),
        );
        let interactions = blend_interactions(snapshot.model.as_deref(), ratings.len());
        let list = flow::recommend(
            &snapshot,
            &state,
            &self.settings.flow,
            &FlowUser {
                cells: &cells,
                seen: &seen,
                interactions,
                repr: folded.as_ref(),
                tokens: &tokens,
                stated_interests: !profile_in.interests.is_empty(),
                content_profile: content_profile.as_deref(),
                popularity: &popularity,
                sources: None,
            },
            &FlowRequest {
                n,
                offset: 0,
                category: None,
                exclude: &[],
                // As `POST /recommendations/` blends by default, so that a profile asked
                // for here and the same profile stored and asked for get one list.
                blend: self.blend(
                    snapshot.model.as_deref(),
                    ratings.len(),
                    true,
                    true,
                    Some(Blend::default().cf_weight),
                    1.0,
                ),
                rules: &Rules::default(),
                explore: None,
            },
        )?;
        let model_name = snapshot.model.as_ref().map(|m| m.info.algorithm.as_str());
        let items: Vec<RankedItem> = list
            .items
            .iter()
            .filter_map(|item| {
                let mut ranked = ranked_item(&snapshot, item)?;
                let features = &catalog.item(item.ranked.item)?.features;
                ranked.matched = tokens.matches(catalog, features, 3);
                reasons::explain_list_item(&list.plan, model_name, &mut ranked);
                Some(ranked)
            })
            .collect();
        let method = method_of(list.plan.source);
        let model_used = snapshot
            .model
            .as_ref()
            .filter(|_| list.plan.cf_share > 0.0)
            .map(|m| (m.version(), m.info.algorithm.clone()));
        let explanation = match (&model_used, method) {
            (Some((_, algorithm)), _) if !ratings.is_empty() => format!(
                "your {} onboarding ratings folded into the {algorithm} model, blended with \
                 your stated interests and popularity",
                ratings.len(),
            ),
            (Some((_, algorithm)), _) => format!(
                "the {algorithm} model's answer for your profile, blended with your stated \
                 interests and popularity"
            ),
            (None, Method::ColdStart | Method::Content) => {
                "items matching your interests and ratings, backed by popularity".to_owned()
            }
            _ if group_known => "popular with people like you (your demographic group)".to_owned(),
            _ => "popular items: tell us your interests or rate a few items for a personal list"
                .to_owned(),
        };
        let recommendation_id = self.served(
            user,
            impressions::Surface::ColdStart,
            method,
            model_used.as_ref(),
            None,
            &items,
        );
        Ok(Recommendations {
            method,
            items,
            interactions: ratings.len(),
            model: model_used,
            cf_weight: list.plan.cf_weight,
            explanation,
            recommendation_id,
            experiment: None,
        })
    }

    /// Popular items spread across categories: the most popular item of each category in
    /// turn, categories ordered by popularity, for a new user to rate.
    pub fn onboarding(&self, n: usize, genres: &[String]) -> EngineResult<Onboarding> {
        let items = self.onboarding_items(n, genres)?;
        let recommendation_id = self.served(
            None,
            impressions::Surface::Onboarding,
            Method::Popularity,
            None,
            None,
            &items,
        );
        Ok(Onboarding {
            items,
            recommendation_id,
        })
    }

    fn onboarding_items(&self, n: usize, genres: &[String]) -> EngineResult<Vec<RankedItem>> {
        let snapshot = self.snapshot();
        let catalog = &snapshot.catalog;
        let pop = &snapshot.popularity;
        let by_pop = |items: &mut Vec<ItemIdx>| {
            items.sort_by(|&a, &b| pop[b as usize].total_cmp(&pop[a as usize]).then(a.cmp(&b)));
        };
        // Categories (by their token) ordered by the popularity of their items.
        let mut groups: HashMap<String, Vec<ItemIdx>> = HashMap::new();
        let mut uncategorized = Vec::new();
        for idx in 0..catalog.slots() as ItemIdx {
            let Some(item) = catalog.item(idx).filter(|i| !i.deleted) else {
                continue;
            };
            if item.record.categories.is_empty() {
                uncategorized.push(idx);
            }
            for c in &item.record.categories {
                groups.entry(c.value.to_lowercase()).or_default().push(idx);
            }
        }
        if !genres.is_empty() {
            let wanted: Vec<String> = genres.iter().map(|g| g.trim().to_lowercase()).collect();
            if let Some(unknown) = wanted.iter().find(|g| !groups.contains_key(*g)) {
                let mut known: Vec<&str> = groups.keys().map(String::as_str).collect();
                known.sort_unstable();
                return Err(EngineError::Invalid {
                    field: "genre".into(),
                    reason: format!("no item is in {unknown:?}; known: {}", known.join(", ")),
                });
            }
            groups.retain(|name, _| wanted.contains(name));
            uncategorized.clear();
        }
        let mut groups: Vec<(f32, String, Vec<ItemIdx>)> = groups
            .into_iter()
            .map(|(name, mut items)| {
                by_pop(&mut items);
                let weight: f32 = items.iter().map(|&i| pop[i as usize]).sum();
                (weight, name, items)
            })
            .collect();
        groups.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        by_pop(&mut uncategorized);
        let mut chosen: Vec<ItemIdx> = Vec::with_capacity(n);
        let mut taken = HashSet::new();
        let mut cursors = vec![0usize; groups.len()];
        while chosen.len() < n {
            let mut progressed = false;
            for (g, (_, _, items)) in groups.iter().enumerate() {
                if chosen.len() >= n {
                    break;
                }
                while let Some(&idx) = items.get(cursors[g]) {
                    cursors[g] += 1;
                    if taken.insert(idx) {
                        chosen.push(idx);
                        progressed = true;
                        break;
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        for idx in uncategorized {
            if chosen.len() >= n {
                break;
            }
            if taken.insert(idx) {
                chosen.push(idx);
            }
        }
        Ok(chosen
            .into_iter()
            .filter_map(|idx| {
                let item = catalog.item(idx)?;
                Some(RankedItem {
                    record: item.record.clone(),
                    score: pop[idx as usize],
                    collaborative: None,
                    content: None,
                    popularity: pop[idx as usize],
                    matched: Vec::new(),
                    because: None,
                    method: Method::Popularity,
                    sources: vec!["popular"],
                    boost: 1.0,
                    explanation: reasons::popular_item(pop[idx as usize]),
                })
            })
            .collect())
    }

    /// Items similar to `item_id`, live ones only, most similar first.
    ///
    /// `Collaborative` asks the active model (item factors or neighbours); `Content` the
    /// vector index of the items' text embeddings, or shared categories and tags for an
    /// item without a vector; `Auto` the model where it knows the item, else content.
    pub fn similar_items(
        &self,
        item_id: &str,
        n: usize,
        by: SimilarBy,
    ) -> EngineResult<SimilarItems> {
        let mut found = self.find_similar_items(item_id, n, by)?;
        found.recommendation_id = self.served(
            None,
            impressions::Surface::Similar,
            found.method,
            None,
            None,
            &found.items,
        );
        Ok(found)
    }

    fn find_similar_items(
        &self,
        item_id: &str,
        n: usize,
        by: SimilarBy,
    ) -> EngineResult<SimilarItems> {
        let snapshot = self.snapshot();
        let catalog = &snapshot.catalog;
        let idx = catalog
            .get(item_id)
            .ok_or_else(|| EngineError::UnknownItem(item_id.to_owned()))?;
        // The similarity that ranked an item is its collaborative or content score.
        let ranked_item = |i: ItemIdx, score: f32, basis: SimilarityBasis| {
            let method = match basis {
                SimilarityBasis::Model => Method::Collaborative,
                _ => Method::Content,
            };
            catalog
                .item(i)
                .filter(|it| !it.deleted && i != idx)
                .map(|it| RankedItem {
                    record: it.record.clone(),
                    score,
                    collaborative: (method == Method::Collaborative).then_some(score),
                    content: (method == Method::Content).then_some(score),
                    popularity: snapshot.popularity[i as usize],
                    matched: Vec::new(),
                    because: None,
                    method,
                    sources: Vec::new(),
                    boost: 1.0,
                    explanation: reasons::similar_item(basis, score),
                })
        };
        if by != SimilarBy::Content {
            match self.collaborative_neighbours(&snapshot, item_id, idx, n) {
                Ok(found) => {
                    let items = found
                        .into_iter()
                        .filter_map(|(i, s)| ranked_item(i, s, SimilarityBasis::Model))
                        .take(n)
                        .collect();
                    return Ok(SimilarItems {
                        method: Method::Collaborative,
                        basis: SimilarityBasis::Model,
                        items,
                        recommendation_id: None,
                    });
                }
                Err(e) if by == SimilarBy::Collaborative => return Err(e),
                Err(_) => {}
            }
        }
        let live = |id: &str| {
            catalog
                .get(id)
                .and_then(|i| catalog.item(i))
                .is_some_and(|it| !it.deleted)
        };
        if let Some(found) = self.content.similar_items(item_id, n, live) {
            let items = found
                .into_iter()
                .filter_map(|(id, s)| {
                    ranked_item(catalog.get(&id)?, s, SimilarityBasis::Embeddings)
                })
                .collect();
            return Ok(SimilarItems {
                method: Method::Content,
                basis: SimilarityBasis::Embeddings,
                items,
                recommendation_id: None,
            });
        }
        let features = catalog.item(idx).map_or(&[][..], |i| &i.features[..]);
        let mut shared: HashMap<ItemIdx, u32> = HashMap::new();
        for &t in features {
            for &other in catalog.items_with(t) {
                if other != idx {
                    *shared.entry(other).or_default() += 1;
                }
            }
        }
        let mut scores = vec![f32::NAN; catalog.slots()];
        let mut mask = vec![false; catalog.slots()];
        for (other, common) in shared {
            let len = catalog.item(other).map_or(1, |i| i.features.len().max(1));
            // Cosine of binary token vectors, with popularity to break ties.
            scores[other as usize] = common as f32 / ((features.len() * len) as f32).sqrt()
                + 0.01 * snapshot.popularity[other as usize];
            mask[other as usize] = true;
        }
        let items = top(&scores, &mask, 0, n)
            .into_iter()
            .filter_map(|(i, s)| ranked_item(i, s, SimilarityBasis::CategoriesAndTags))
            .collect();
        Ok(SimilarItems {
            method: Method::Content,
            basis: SimilarityBasis::CategoriesAndTags,
            items,
            recommendation_id: None,
        })
    }

    /// The active model's nearest items to `item_id` (catalog index, score), with a few
    /// extra in case some were deleted since training.
    fn collaborative_neighbours(
        &self,
        snapshot: &Snapshot,
        item_id: &str,
        idx: ItemIdx,
        n: usize,
    ) -> EngineResult<Vec<(ItemIdx, f32)>> {
        let model = snapshot.model.as_deref().ok_or(EngineError::NoModel)?;
        let m = snapshot
            .model_index(idx)
            .ok_or_else(|| EngineError::NotInModel(item_id.to_owned()))?;
        let similar = model
            .model
            .similar_items(m, n + 8)
            .map_err(|e| EngineError::Invalid {
                field: "method".into(),
                reason: format!(
                    "the active model ({}) has no item similarity: {e}",
                    model.info.algorithm
                ),
            })?;
        Ok(similar
            .into_iter()
            .filter_map(|s| Some((snapshot.catalog.get(model.item_id(s.item)?)?, s.score)))
            .collect())
    }

    /// The training users with the taste closest to `user_id`'s, by the active model
    /// (their history folded in when the model has not seen them).
    pub async fn similar_users(&self, user_id: &str, n: usize) -> EngineResult<SimilarUsers> {
        let model = self.active_model().ok_or(EngineError::NoModel)?;
        let view = self.user_view(user_id).await?;
        let repr = self.repr(&model, &view)?;
        let me = model.user_index(user_id);
        let (basis, found) = neighbours::nearest_users(&model, &repr, n, |u| Some(u) != me);
        let similar = found
            .into_iter()
            .filter_map(|(u, similarity)| {
                Some(UserNeighbour {
                    user_id: model.user_id(u)?.to_owned(),
                    similarity,
                    items_in_common: neighbours::items_in_common(&model, &repr, u),
                })
            })
            .collect();
        Ok(SimilarUsers {
            user_id: user_id.to_owned(),
            algorithm: model.info.algorithm.clone(),
            model_version: model.version(),
            basis,
            similar,
        })
    }

    /// The prediction of the active rating model (else the ranking model) for a user and
    /// an item.
    pub async fn predict(&self, user_id: &str, item_id: &str) -> EngineResult<Prediction> {
        let snapshot = self.snapshot();
        let model = snapshot.predictor().cloned().ok_or(EngineError::NoModel)?;
        let view = self.user_view(user_id).await?;
        if snapshot.catalog.get(item_id).is_none() && !self.store.item_exists(item_id).await? {
            return Err(EngineError::UnknownItem(item_id.to_owned()));
        }
        let m = model
            .item_index(item_id)
            .ok_or_else(|| EngineError::NotInModel(item_id.to_owned()))?;
        let repr = self.repr(&model, &view)?;
        let mut out = [0f32];
        model.model.score(&repr, &[m], &mut out)?;
        let predicted_rating = model
            .model
            .rating_range()
            .map(|(lo, hi)| out[0].clamp(lo, hi));
        Ok(Prediction {
            user_id: user_id.to_owned(),
            item_id: item_id.to_owned(),
            score: out[0],
            predicted_rating,
            known_user: trained_with(&model, &view),
            algorithm: model.info.algorithm.clone(),
            model_version: model.version(),
        })
    }

    /// Why the active model scores `item_id` for `user_id` as it does, in numbers.
    pub async fn explain(&self, user_id: &str, item_id: &str) -> EngineResult<Explanation> {
        let snapshot = self.snapshot();
        let model = snapshot.model.clone().ok_or(EngineError::NoModel)?;
        let view = self.user_view(user_id).await?;
        let idx = snapshot
            .catalog
            .get(item_id)
            .ok_or_else(|| EngineError::UnknownItem(item_id.to_owned()))?;
        let m = model
            .item_index(item_id)
            .ok_or_else(|| EngineError::NotInModel(item_id.to_owned()))?;
        let repr = self.repr(&model, &view)?;
        explain::explain(&snapshot, &model, &view, &repr, idx, m)
    }
}

fn check_cf_weight(w: f32) -> EngineResult<()> {
    if (0.0..=1.0).contains(&w) {
        Ok(())
    } else {
        Err(EngineError::Invalid {
            field: "cf_weight".into(),
            reason: format!("{w} is not between 0 and 1"),
        })
    }
}

/// Global popularity, averaged with the demographic group's when known.
fn blend_popularity(global: &[f32], demographic: Option<&[f32]>) -> Vec<f32> {
    match demographic {
        Some(group) => global
            .iter()
            .zip(group)
            .map(|(g, d)| 0.5 * g + 0.5 * d)
            .collect(),
        None => global.to_vec(),
    }
}

/// Whether `model` was trained with this user: it knows the id and every item it learned
/// for them is still in the stored history (a user deleted and created again under the
/// same id is new to it).
fn trained_with(model: &ServingModel, view: &UserView) -> bool {
    let Some(trained) = model
        .user_index(&view.record.id)
        .and_then(|u| model.model.user(u).ok())
    else {
        return false;
    };
    let stored: HashSet<ItemIdx> = view
        .history
        .iter()
        .filter_map(|c| model.item_index(&c.item))
        .collect();
    trained
        .history
        .iter()
        .all(|(item, _)| stored.contains(item))
}

/// Whether two sorted histories hold the same items with the same values.
fn same_history(a: &[(ItemIdx, f32)], b: &[(ItemIdx, f32)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() <= 1e-4 * x.1.abs().max(1.0))
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na > 0.0 && nb > 0.0 {
        dot / (na.sqrt() * nb.sqrt())
    } else {
        0.0
    }
}

/// How similar two catalog items are: the cosine of their model factors when the model
/// has factors for both, else the cosine of their content tokens.
fn item_similarity(snapshot: &Snapshot, a: ItemIdx, b: ItemIdx) -> f32 {
    if let Some(model) = &snapshot.model
        && let Some((factors, k)) = model.model.item_factors()
        && let (Some(ma), Some(mb)) = (snapshot.model_index(a), snapshot.model_index(b))
        && k > 0
    {
        let row = |m: ItemIdx| factors.get(m as usize * k..(m as usize + 1) * k);
        if let (Some(x), Some(y)) = (row(ma), row(mb)) {
            return cosine(x, y);
        }
    }
    let catalog = &snapshot.catalog;
    let (Some(x), Some(y)) = (catalog.item(a), catalog.item(b)) else {
        return 0.0;
    };
    if x.features.is_empty() || y.features.is_empty() {
        return 0.0;
    }
    let common = x
        .features
        .iter()
        .filter(|t| y.features.binary_search(t).is_ok())
        .count();
    common as f32 / ((x.features.len() * y.features.len()) as f32).sqrt()
}

/// The liked history item most similar to `idx`: (id, title, similarity).
fn because(
    snapshot: &Snapshot,
    history: &[HistoryCell],
    idx: ItemIdx,
) -> Option<(String, String, f32)> {
    history
        .iter()
        .filter(|c| c.is_positive(snapshot.catalog.rating_scale()))
        .filter_map(|c| {
            let other = snapshot.catalog.get(&c.item)?;
            let item = snapshot.catalog.item(other)?;
            Some((item, item_similarity(snapshot, idx, other)))
        })
        .filter(|(_, s)| *s >= reasons::RESEMBLANCE_MIN)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(item, s)| (item.record.id.clone(), item.record.title.clone(), s))
}

fn describe(list: &FlowList, interactions: usize, model: Option<&(i64, String)>) -> String {
    let plan = &list.plan;
    let model_name =
        model.map_or_else(String::new, |(v, a)| format!("the {a} model (version {v})"));
    let like = match list.content {
        ContentSource::Embeddings => "similarity of the items' text with what you liked and said",
        _ => "match with the categories and tags you like",
    };
    let percent = |share: f32| (share * 100.0).round();
    match method_of(plan.source) {
        Method::Hybrid => format!(
            "{:.0}% collaborative filtering by {model_name} from your {interactions} \
             interactions, {:.0}% {like}, {:.0}% popularity; the model's share grows with \
             your history",
            percent(plan.cf_share),
            percent(plan.content_share),
            percent(plan.popularity_share),
        ),
        Method::Collaborative => format!(
            "{:.0}% collaborative filtering by {model_name} from your {interactions} \
             interactions, {:.0}% popularity",
            percent(plan.cf_share),
            percent(plan.popularity_share),
        ),
        Method::Content => format!(
            "items ranked by {like} (no model is active, or collaborative filtering was \
             turned off; {interactions} interactions), {:.0}% popularity",
            percent(plan.popularity_share),
        ),
        Method::ColdStart => format!(
            "you have {interactions} interactions: items matching your interests and what \
             you interacted with ({:.0}%), backed by what is popular in your categories \
             ({:.0}%){}",
            percent(plan.content_share),
            percent(plan.popularity_share),
            if plan.cf_share > 0.0 {
                format!(", and {:.0}% {model_name}", percent(plan.cf_share))
            } else {
                String::new()
            },
        ),
        Method::Popularity => {
            "popular items: state interests or interact with a few items for a personal list"
                .to_owned()
        }
    }
}

/// The engine's method for a blend source.
fn method_of(source: Source) -> Method {
    match source {
        Source::Hybrid => Method::Hybrid,
        Source::Collaborative => Method::Collaborative,
        Source::Content => Method::Content,
        Source::ColdStart => Method::ColdStart,
        Source::Popularity => Method::Popularity,
    }
}

/// An interest text as the encoder sees it.
fn interests_text(interests: &[String]) -> String {
    interests
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The top 53 bits of `bits` as a fraction in [0, 1): uniform, and exactly representable
/// as an f64.
pub(crate) fn unit_fraction(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 bits of the SHA-256 of `parts`, a zero byte between each two: the same on every
/// server and across restarts, which is what assignments and seeds made from ids need.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0]);
        }
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

/// The seed of a user's exploration slot: the same for an hour, on every server, so that
/// whether a list has the slot does not change on each request.
fn exploration_seed(user_id: &str) -> u64 {
    let hour = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 3600);
    stable_hash(&[user_id.as_bytes(), hour.to_string().as_bytes()])
}

/// The history length the blend weighs the model by. A model that reads the profile
/// (the two-tower network: demographics, stated genres) answers a newcomer before any
/// interaction; that answer counts as one interaction's worth, in every route alike, so
/// that the same profile gets the same list through `POST /recommendations/cold-start`
/// and as a stored user.
pub(crate) fn blend_interactions(model: Option<&ServingModel>, interactions: usize) -> usize {
    match model {
        Some(m) if m.model.reads_profile() => interactions.max(1),
        _ => interactions,
    }
}

fn ranked_item(snapshot: &Snapshot, item: &FlowItem) -> Option<RankedItem> {
    let r = &item.ranked;
    let catalog_item = snapshot.catalog.item(r.item)?;
    Some(RankedItem {
        record: catalog_item.record.clone(),
        score: r.score,
        collaborative: r.collaborative,
        content: r.content,
        popularity: r.popularity,
        matched: Vec::new(),
        because: None,
        method: method_of(r.source),
        sources: item.origins.names(),
        boost: item.boost,
        explanation: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[test]
    fn a_stable_hash_is_the_digest_of_its_parts_joined_by_a_zero_byte() {
        // Experiment assignments stored before depend on exactly this layout.
        let digest = Sha256::digest(b"salt\0user-7");
        let expected = u64::from_le_bytes(digest[..8].try_into().unwrap());
        assert_eq!(super::stable_hash(&[b"salt", b"user-7"]), expected);
        assert_ne!(super::stable_hash(&[b"salt", b"user-8"]), expected);
        let fraction = super::unit_fraction(expected);
        assert!((0.0..1.0).contains(&fraction));
    }
}
