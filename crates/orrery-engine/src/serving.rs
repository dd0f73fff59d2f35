//! [`ServingModel`]: a fitted model with the id maps of the snapshot it was trained on, as
//! stored in the registry (an [`orrery_train::Bundle`]) and as served, with the look-ups
//! built over it on first use: each item's training users, and a vector index over the
//! user factors for similar-user searches, and a graph index over the item factors for
//! catalogs too large to score whole.

use std::sync::OnceLock;

use orrery_content::{IndexOptions, VectorIndex};
use orrery_core::{Dataset, IdMap, ItemIdx, UserIdx};
use orrery_models::{Model, Recommender};
use orrery_store::ModelVersion;
use orrery_train::Bundle;

use crate::flow::retrieval::FactorIndex;

pub use orrery_train::BundleError;

/// A model ready to serve: the fitted model, which external ids its indices stand for,
/// and what the registry knows of it.
pub struct ServingModel {
    /// Registry entry (version, algorithm, parameters, metrics).
    pub info: ModelVersion,
    /// The fitted model.
    pub model: Model,
    users: IdMap,
    items: IdMap,
    /// Per item, the training users and their values; built on first use (explanations).
    item_users: OnceLock<Vec<Vec<(UserIdx, f32)>>>,
    /// The training users' factors, keyed by user index; `None` for models without user
    /// factors. Built on first use.
    user_space: OnceLock<Option<VectorIndex>>,
    /// The graph index over the items' factors, for catalogs too large to score whole;
    /// built by [`ServingModel::prepare`] before the model is served.
    item_space: OnceLock<Option<FactorIndex>>,
    /// The popularity prior stored with the version ([`crate::tune`]), read once: every
    /// list's blend asks for it.
    popularity_prior: Option<f32>,
}

impl std::fmt::Debug for ServingModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServingModel")
            .field("version", &self.info.version)
            .field("algorithm", &self.info.algorithm)
            .field("users", &self.users.len())
            .field("items", &self.items.len())
            .finish()
    }
}

/// The popularity prior among a version's parameters, when it holds a valid one.
fn stored_prior(info: &ModelVersion) -> Option<f32> {
    info.params
        .get(crate::tune::POPULARITY_PRIOR_PARAM)?
        .parse()
        .ok()
        .filter(|p: &f32| (0.0..=orrery_models::blend::MAX_POPULARITY_PRIOR).contains(p))
}

impl ServingModel {
    /// The popularity prior chosen for the model when it was trained
    /// ([`crate::tune`]), if one was.
    pub fn chosen_popularity_prior(&self) -> Option<f32> {
        self.popularity_prior
    }

    /// A model trained on `dataset`.
    pub fn new(info: ModelVersion, model: Model, dataset: &Dataset) -> ServingModel {
        ServingModel {
            model,
            users: dataset.users().clone(),
            items: dataset.items().clone(),
            item_users: OnceLock::new(),
            user_space: OnceLock::new(),
            item_space: OnceLock::new(),
            popularity_prior: stored_prior(&info),
            info,
        }
    }

    /// A model from registry bytes written by [`orrery_train::Bundle::encode`].
    pub fn from_bundle(info: ModelVersion, bytes: &[u8]) -> Result<ServingModel, BundleError> {
        let Bundle {
            model,
            users,
            items,
        } = Bundle::decode(bytes)?;
        Ok(ServingModel {
            model,
            users,
            items,
            item_users: OnceLock::new(),
            user_space: OnceLock::new(),
            item_space: OnceLock::new(),
            popularity_prior: stored_prior(&info),
            info,
        })
    }

    /// Builds what serving needs before the first request: the graph index over the
    /// items' factors when the model knows more than `exact_items` items (slow: seconds
    /// per hundred thousand items, so never on a request).
    pub fn prepare(&self, exact_items: usize) {
        if let Some(index) = self.factor_index(exact_items) {
            tracing::info!(
                version = self.version(),
                items = index.len(),
                recall_at_10 = index.recall(),
                "indexed the model's items for retrieval"
            );
        }
    }

    /// The graph index over the items' factors, when the model knows more than
    /// `exact_items` items and its scores are linear in its factors.
    pub fn factor_index(&self, exact_items: usize) -> Option<&FactorIndex> {
        if self.model.n_items() <= exact_items {
            return None;
        }
        self.item_space
            .get_or_init(|| FactorIndex::build(&self.model))
            .as_ref()
    }

    /// The registry version.
    pub fn version(&self) -> i64 {
        self.info.version
    }

    /// The model index of a user id.
    pub fn user_index(&self, id: &str) -> Option<UserIdx> {
        self.users.get(id)
    }

    /// The user id of a model index.
    pub fn user_id(&self, idx: UserIdx) -> Option<&str> {
        self.users.external(idx)
    }

    /// The model index of an item id.
    pub fn item_index(&self, id: &str) -> Option<ItemIdx> {
        self.items.get(id)
    }

    /// The item id of a model index.
    pub fn item_id(&self, idx: ItemIdx) -> Option<&str> {
        self.items.external(idx)
    }

    /// Item ids in model index order.
    pub fn item_ids(&self) -> &[String] {
        self.items.ids()
    }

    /// The training users of each item and their values (rating, else weight).
    pub fn item_users(&self) -> &[Vec<(UserIdx, f32)>] {
        self.item_users.get_or_init(|| {
            let mut by_item = vec![Vec::new(); self.model.n_items()];
            for u in 0..self.model.n_users() as UserIdx {
                if let Ok(repr) = self.model.user(u) {
                    for (item, value) in repr.history {
                        if let Some(list) = by_item.get_mut(item as usize) {
                            list.push((u, value));
                        }
                    }
                }
            }
            by_item
        })
    }

    /// The `k` training users whose factors are closest (cosine) to `factors`, among
    /// those `allow` admits, best first; `None` when the model has no user factors or
    /// `factors` is not a usable vector of theirs.
    pub fn similar_users(
        &self,
        factors: &[f32],
        k: usize,
        allow: impl Fn(UserIdx) -> bool + Sync,
    ) -> Option<Vec<(UserIdx, f32)>> {
        let index = self.user_space()?;
        let found = index
            .search_filtered(factors, k, |key| UserIdx::try_from(key).is_ok_and(&allow))
            .ok()?;
        Some(
            found
                .into_iter()
                .map(|n| (n.key as UserIdx, n.score))
                .collect(),
        )
    }

    fn user_space(&self) -> Option<&VectorIndex> {
        self.user_space
            .get_or_init(|| {
                let mut keys = Vec::new();
                let mut rows = Vec::new();
                let mut dim = None;
                for u in 0..self.model.n_users() as UserIdx {
                    let Ok(repr) = self.model.user(u) else {
                        continue;
                    };
                    let usable = !repr.factors.is_empty()
                        && dim.is_none_or(|d| d == repr.factors.len())
                        && repr.factors.iter().all(|x| x.is_finite())
                        && repr.factors.iter().any(|&x| x != 0.0);
                    if usable {
                        dim = Some(repr.factors.len());
                        keys.push(u64::from(u));
                        rows.extend_from_slice(&repr.factors);
                    }
                }
                let index = VectorIndex::build(dim?, user_index_options(), &keys, &rows);
                index
                    .map_err(|e| tracing::warn!("indexing the user factors failed: {e}"))
                    .ok()
            })
            .as_ref()
    }
}

/// Exact search up to 200,000 users: factors are short (tens of numbers), so a scan of
/// MovieLens-20M's 138,000 users costs a few milliseconds, and building the index is a copy
/// rather than a graph build on the request that first needs it.
fn user_index_options() -> IndexOptions {
    IndexOptions {
        exact_threshold: 200_000,
        ..IndexOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};
    use orrery_models::{Algorithm, NoProgress, Params};

    fn info() -> ModelVersion {
        ModelVersion {
            version: 1,
            algorithm: "popularity".into(),
            ..ModelVersion::default()
        }
    }

    #[test]
    fn bundles_round_trip_and_reject_garbage() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_event("u1", "a", &EventKind::Like, 0.0, 0);
        b.add_event("u2", "b", &EventKind::Like, 0.0, 0);
        b.add_event("u2", "a", &EventKind::Click, 0.0, 0);
        let d = b.build();
        let model = Model::fit(
            &d,
            &Params::defaults(Algorithm::Popularity),
            &mut NoProgress,
        )
        .unwrap();
        let bytes = Bundle::encode(&model, &d).unwrap();
        let s = ServingModel::from_bundle(info(), &bytes).unwrap();
        assert_eq!(s.item_index("b"), Some(1));
        assert_eq!(s.user_id(1), Some("u2"));
        assert_eq!(s.item_users()[0].len(), 2);
        assert!(ServingModel::from_bundle(info(), b"garbage garbage garbage").is_err());
        assert!(ServingModel::from_bundle(info(), &bytes[..bytes.len() - 3]).is_err());
        let mut other = bytes.clone();
        other[8] = 9;
        assert!(ServingModel::from_bundle(info(), &other).is_err());
    }
}
