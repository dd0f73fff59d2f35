//! Measures Orrery's recommenders.
//!
//! - [`metrics`]: RMSE, MAE, Precision/Recall/NDCG/HR/MAP@K, MRR, catalog coverage and
//!   intra-list diversity, as plain functions over predictions and ranked lists.
//! - [`split`]: the protocols that cut a [`Dataset`](orrery_core::Dataset) into train and
//!   test sets sharing one id space: random holdout, k-fold, per-user leave-last-out with
//!   sampled negatives (the NCF protocol), and a temporal split.
//! - [`evaluate()`]: scores a fitted model on a split and returns the metrics that apply, by
//!   name (`"rmse"`, `"ndcg@10"`, …); [`run`] splits, fits and evaluates in one call.
//!   [`evaluate_with`] takes the lists from a [`Ranker`] instead of the model alone: the
//!   way `orrery eval` measures the serving flow.
//! - [`given`]: a fold from a training set and a test set kept as separate files.
//! - [`ab`]: online comparisons: a rate's confidence interval, the two-proportion test of
//!   a variant against its control, the sample an experiment needs.
//!
//! It knows nothing of storage: datasets come in, numbers go out.

pub mod ab;
mod error;
pub mod evaluate;
pub mod given;
pub mod metrics;
pub mod split;

pub use error::Error;
pub use evaluate::{
    EvalOptions, Metrics, ModelRanker, Ranker, Report, evaluate, evaluate_with, run,
};
pub use given::fold_from_records;
pub use split::{Fold, Protocol};

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
