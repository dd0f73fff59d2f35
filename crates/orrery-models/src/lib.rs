//! Orrery's recommenders, all behind one interface.
//!
//! [`Model::fit`] trains any algorithm from a [`Dataset`](orrery_core::Dataset) and a
//! validated [`Params`]; the fitted [`Model`] then answers through the [`Recommender`]
//! trait, in the shape that `implicit` and Surprise made familiar:
//!
//! - [`Recommender::user`] and [`Recommender::fold_in`] give a [`UserRepr`]: a known user's
//!   trained state, or a state computed from interactions alone (real-time learning after a
//!   rating, cold start from onboarding ratings) without retraining;
//! - [`Recommender::score`] scores a batch of items into the caller's buffer;
//! - [`Recommender::recommend`] returns the top k under a [`Filter`] (seen items, an
//!   exclusion list, an allowed set such as a category);
//! - [`Recommender::similar_items`] and [`Recommender::explain`] where the algorithm can.
//!
//! The content and hybrid recommenders also take item vectors (text embeddings computed by
//! the caller) at fit time ([`Model::fit_with_vectors`]); [`blend`] holds their blending
//! rules, which the server's recommendation flow applies to its candidates too.
//!
//! Models serialize with a format header ([`Model::save`], [`Model::load`]) so that a model
//! written by another format version is refused with a clear error.
//!
//! This crate knows nothing of SQL, HTTP or files on disk: it turns a snapshot into a model
//! and a model into scores.

mod algo;
pub mod blend;
mod content_params;
mod error;
mod filter;
mod format;
mod history;
mod linalg;
mod model;
mod params;
mod progress;
mod repr;
mod topk;
mod vectors;

pub use algo::content::{Content, ItemCategories, category_key};
pub use algo::hybrid::Hybrid;
pub use algo::neural::layer4::{CategoryMatrix, Layer4};
pub use algo::neural::ncf::Ncf;
pub use algo::{
    als::Als, baseline::Baseline, bpr::Bpr, ease::Ease, itemknn::ItemKnn, mf::Mf, nmf::Nmf,
    popularity::Popularity, svdpp::Svdpp,
};
pub use content_params::{ContentParams, HybridParams};
pub use error::Error;
pub use filter::{Filter, ItemSet};
pub use format::FORMAT_VERSION;
pub use model::{Fitted, Model, Recommender};
pub use params::{
    Algorithm, AlsParams, AlsSolver, BaselineParams, BprParams, DEFAULT_SEED, EaseParams,
    ItemKnnParams, Layer4Params, MfParams, NcfParams, NmfParams, Params, PopularityBy,
    PopularityParams, Similarity, SvdppParams, TrendingParams,
};
pub use progress::{EpochReport, NoProgress, Progress, ValidationReport};
pub use repr::{Contribution, Explanation, LinearItems, Scored, UserRepr};
pub use vectors::ItemVectors;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
