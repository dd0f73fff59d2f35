//! The flow over a training split: the lists `orrery eval` measures, made by the same
//! code that serves them ([`crate::flow`]), with the store replaced by the split.
//!
//! The split's items become the catalog (with their popularity and text vectors), the
//! fitted model the active model, and each user's training row the stored history, so
//! that a user's list here is the list the server would give them after an import of the
//! training data and the same training.

use std::sync::Arc;

use orrery_core::{Dataset, ItemIdx, UserIdx};
use orrery_eval::Ranker;
use orrery_models::{ItemVectors, Model, Recommender, UserRepr};

/// Item vectors as `(item id, vector)` rows for [`OfflineFlow::new`].
pub fn vector_rows(dataset: &Dataset, vectors: &ItemVectors) -> Vec<(String, Vec<f32>)> {
    (0..dataset.n_items() as ItemIdx)
        .filter_map(|i| {
            let id = dataset.items().external(i)?;
            Some((id.to_owned(), vectors.get(i)?.to_vec()))
        })
        .collect()
}
use orrery_store::ModelVersion;

use crate::content::{ContentIndex, ContentState};
use crate::flow::rules::Rules;
use crate::flow::{self, FlowRequest, FlowSettings, FlowUser};
use crate::rank::Profile;
use crate::users::{history_of_row, place, seen_slots};
use crate::{ActiveModels, Catalog, RecommendOptions, ServingModel, Snapshot};

/// The serving flow over a training split, as an [`orrery_eval::Ranker`].
pub struct OfflineFlow<'a> {
    train: &'a Dataset,
    snapshot: Snapshot,
    content: Arc<ContentState>,
    settings: FlowSettings,
    options: RecommendOptions,
    cold_start_threshold: usize,
}

impl<'a> OfflineFlow<'a> {
    /// The flow over `train` with `model` (fitted on it) active and the items' text
    /// vectors `(item id, vector)` (none: no content signal); lists blended as
    /// `GET /recommendations/{user}` blends them by default. The vectors go through the
    /// server's own content index, as a server would hold them.
    pub fn new(
        train: &'a Dataset,
        model: Model,
        vectors: Vec<(String, Vec<f32>)>,
        settings: FlowSettings,
        cold_start_threshold: usize,
    ) -> OfflineFlow<'a> {
        let catalog = Arc::new(Catalog::from_dataset(train));
        let info = ModelVersion {
            algorithm: model.algorithm().name().to_owned(),
            ..ModelVersion::default()
        };
        let serving = ServingModel::new(info, model, train);
        let index = ContentIndex::default();
        index.insert(
            vectors
                .into_iter()
                .map(|(id, vector)| (id, 0, vector))
                .collect(),
        );
        let content = index.state(&catalog);
        OfflineFlow {
            train,
            snapshot: Snapshot::new(catalog, ActiveModels::default().with(Arc::new(serving))),
            content,
            settings,
            options: RecommendOptions::default(),
            cold_start_threshold,
        }
    }

    /// Switches the collaborative and content signals on or off for the lists that
    /// follow (as `use_cf` and `use_embeddings` do on a request).
    pub fn set_signals(&mut self, use_cf: bool, use_content: bool) {
        self.options.use_cf = use_cf;
        self.options.use_content = use_content;
    }

    /// Sets the popularity prior of the lists that follow ([`FlowSettings::popularity_prior`]).
    pub fn set_popularity_prior(&mut self, prior: f32) {
        self.settings.popularity_prior = Some(prior);
    }

    /// The fitted model (for the rating metrics).
    pub fn model(&self) -> &Model {
        match &self.snapshot.model {
            Some(serving) => &serving.model,
            None => unreachable!("an offline flow always holds its model"),
        }
    }

    /// The user's training row as the flow's history: (slot, affinity) cells, oldest
    /// first, and the slots it counts as seen (`[flow] exclude_seen`), as a server reads
    /// them from the stored events.
    fn history(&self, user: UserIdx) -> (Vec<(ItemIdx, f32)>, Vec<ItemIdx>) {
        let history = history_of_row(self.train.user_row(user), self.train.items());
        let catalog = &self.snapshot.catalog;
        let seen = seen_slots(catalog, &history, self.settings.exclude_seen);
        (place(catalog, &history), seen)
    }

    /// The flow's list for `user`: `k` items from the sources, or the best `k` of
    /// `given` (catalog slots) when the protocol names the candidates.
    fn list(
        &self,
        user: UserIdx,
        repr: &UserRepr,
        given: Option<&[ItemIdx]>,
        k: usize,
    ) -> orrery_eval::Result<Vec<ItemIdx>> {
        let catalog = &self.snapshot.catalog;
        let (cells, seen) = self.history(user);
        let record = self.train.user(user);
        let interests = record.map_or(&[][..], |r| &r.interests[..]);
        let tokens = Profile::new(catalog, interests, &cells);
        let content_profile = self.content.profile(&cells, interests, None);
        let (popularity, _) = self.snapshot.popularity_for(
            record.and_then(|r| r.gender.as_deref()),
            record.and_then(|r| r.age),
            record.and_then(|r| r.occupation.as_deref()),
        );
        let opts = &self.options;
        let blend = self.settings.blend(
            self.snapshot.model.as_deref(),
            cells.len(),
            opts.use_cf,
            opts.use_content,
            opts.cf_weight,
            self.cold_start_threshold,
            opts.mmr_lambda,
        );
        let user_in = FlowUser {
            cells: &cells,
            seen: &seen,
            interactions: crate::blend_interactions(self.snapshot.model.as_deref(), cells.len()),
            repr: Some(repr),
            tokens: &tokens,
            stated_interests: !interests.is_empty(),
            content_profile: content_profile.as_deref(),
            popularity: &popularity,
            sources: None,
        };
        let list = match given {
            Some(candidates) => flow::rank_given(
                &self.snapshot,
                &self.content,
                &user_in,
                candidates,
                blend,
                k,
            )?,
            None => flow::recommend(
                &self.snapshot,
                &self.content,
                &self.settings,
                &user_in,
                &FlowRequest {
                    n: k,
                    offset: 0,
                    category: None,
                    exclude: &[],
                    blend,
                    rules: &Rules::default(),
                    explore: None,
                },
            )?,
        };
        Ok(list
            .items
            .iter()
            .filter_map(|item| self.snapshot.model_index(item.ranked.item))
            .collect())
    }
}

impl Ranker for OfflineFlow<'_> {
    fn top_k(
        &self,
        user: UserIdx,
        repr: &UserRepr,
        _seen: &[ItemIdx],
        k: usize,
    ) -> orrery_eval::Result<Vec<ItemIdx>> {
        // The flow leaves out the training row itself: it is the user's history.
        self.list(user, repr, None, k)
    }

    fn top_of(
        &self,
        user: UserIdx,
        repr: &UserRepr,
        candidates: &[ItemIdx],
        k: usize,
    ) -> orrery_eval::Result<Vec<ItemIdx>> {
        let slots: Vec<ItemIdx> = candidates
            .iter()
            .filter_map(|&m| self.snapshot.catalog_slot(m))
            .collect();
        self.list(user, repr, Some(&slots), k)
    }
}
