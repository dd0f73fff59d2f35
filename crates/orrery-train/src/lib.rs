//! The training flow of Orrery, shared by `orrery train` and the server's background
//! trainer: take a snapshot of the store, fit on a validation split and measure the model
//! on the held-out rest, fit again on everything, store the result as a new registry
//! version, activate it when asked (or when nothing is active) and prune old versions.
//!
//! This crate is the only place that knows how a fitted model becomes a registry blob
//! (a [`Bundle`]: the model plus the id maps of the snapshot it was trained on), so that
//! every writer and reader of the registry agrees on it. It does not serve models: the
//! server decides what to do with a [`Trained`] model once it is stored.
//!
//! With no algorithm named ([`TrainJob::best_ranking`]), the run first fits each ranking
//! algorithm of [`RANKING_CANDIDATES`] on a validation split and trains the best by
//! NDCG@10 ([`choose_ranking_algorithm`]); when the data holds ratings it then trains the
//! default rating model too, stored as a version of the other purpose ([`Companion`]), so
//! that lists come from the ranking model and predicted ratings from the rating model.
//!
//! Flow settings that are properties of the data (how much a short history leans on
//! popularity) are chosen on the validation split by a [`FlowTuner`] that the caller
//! passes, and stored with the version's parameters.
//!
//! The content and hybrid algorithms train on item vectors: [`embed`] reads them from the
//! store (`item_embeddings`) where the item's text has not changed and computes the rest
//! with the text encoder, and defines the item text and fingerprint every process uses.
//!
//! ```no_run
//! # async fn demo(store: &orrery_store::Store) -> Result<(), orrery_train::TrainError> {
//! use orrery_models::{Algorithm, Params};
//! use orrery_train::{NoObserver, TrainJob, TrainSettings};
//!
//! let job = TrainJob::new(Params::defaults(Algorithm::Als), Some(true));
//! let run = orrery_train::begin(store, &job).await?;
//! let trained = run.execute(store, &job, &TrainSettings::default(), NoObserver).await?;
//! println!("stored version {} with {:?}", trained.version, trained.metrics);
//! # Ok(()) }
//! ```

mod algorithm;
mod bundle;
mod cancel;
mod choose;
pub mod embed;
mod flow;
mod tuning;

pub use algorithm::{default_algorithm, parse_algorithm};
pub use bundle::{Bundle, BundleError};
pub use cancel::Cancel;
pub use choose::{Choice, RANKING_CANDIDATES, choose_ranking_algorithm};
pub use flow::{
    Companion, NoObserver, Observer, Phase, TrainError, TrainJob, TrainRun, TrainSettings, Trained,
    begin, purpose_of, unix_now,
};
pub use tuning::{FlowTuner, Tuned};
