//! The in-memory data model every other Orrery crate shares.
//!
//! - [`IdMap`]: external string ids ↔ dense `u32` indices.
//! - [`EventKind`] and [`EventWeights`]: what an interaction is and how much it counts for
//!   implicit-feedback models.
//! - [`UserRecord`], [`ItemRecord`], [`InteractionRecord`]: the rows that importers produce
//!   and the store persists.
//! - [`RatingScale`]: the scale ratings are given on, and what a rating means on it.
//! - [`Dataset`]: an immutable snapshot for training, with CSR user×item and item×user
//!   matrices of weights, explicit ratings and timestamps, plus item metadata.
//!
//! This crate does no IO and is not async: it is the vocabulary, not the plumbing.

mod dataset;
mod error;
mod event;
mod ids;
mod kinds;
mod rating;
mod record;
pub mod rng;

pub use dataset::{Csr, Dataset, DatasetBuilder, Row, UserHistories};
pub use error::Error;
pub use event::{EventKind, EventWeights, WeightRule};
pub use ids::{IdMap, ItemIdx, UserIdx};
pub use kinds::KindSet;
pub use rating::RatingScale;
pub use record::{Category, InteractionRecord, ItemRecord, Record, UserRecord};

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;
