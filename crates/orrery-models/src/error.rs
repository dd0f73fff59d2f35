//! Errors of training, scoring and (de)serializing models.

use crate::Algorithm;

/// What went wrong, phrased so that the caller knows what to change.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An algorithm name that no model answers to.
    #[error("unknown algorithm {name:?}: expected one of {known}")]
    UnknownAlgorithm {
        /// The name given.
        name: String,
        /// The valid names, comma separated.
        known: String,
    },
    /// A `key=value` pair without `=`.
    #[error("parameter {0:?} is not of the form key=value (e.g. factors=64)")]
    MalformedParam(String),
    /// A parameter that the algorithm does not have.
    #[error("{algorithm}: unknown parameter {name:?}; its parameters are {known}")]
    UnknownParam {
        /// The algorithm being configured.
        algorithm: Algorithm,
        /// The key given.
        name: String,
        /// The valid keys, comma separated.
        known: String,
    },
    /// A parameter value that does not parse or is out of range.
    #[error("{algorithm}: parameter {name} = {value} is invalid: expected {expected}")]
    InvalidParam {
        /// The algorithm being configured.
        algorithm: Algorithm,
        /// The parameter.
        name: &'static str,
        /// The value given, as written.
        value: String,
        /// What would be accepted.
        expected: String,
    },
    /// The dataset lacks what the algorithm trains on.
    #[error("{algorithm} cannot train: {problem}; {hint}")]
    InsufficientData {
        /// The algorithm being trained.
        algorithm: Algorithm,
        /// What is missing.
        problem: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// A user index the model was not trained with.
    #[error(
        "user index {user} is unknown to this model, which has {n_users} users: use fold_in for new users"
    )]
    UnknownUser {
        /// The index given.
        user: u32,
        /// Number of users the model knows.
        n_users: usize,
    },
    /// An item index the model was not trained with.
    #[error(
        "item index {item} is unknown to this model, which has {n_items} items: retrain to include new items"
    )]
    UnknownItem {
        /// The index given.
        item: u32,
        /// Number of items the model knows.
        n_items: usize,
    },
    /// An interaction value that is not a finite number.
    #[error("the value {value} given for item {item} is not a finite number")]
    InvalidValue {
        /// The item.
        item: u32,
        /// The value given.
        value: f32,
    },
    /// A score buffer whose length differs from the number of items to score.
    #[error("the score buffer has {found} slots for {expected} items: pass one slot per item")]
    BufferLength {
        /// Slots needed.
        expected: usize,
        /// Slots given.
        found: usize,
    },
    /// A user representation built by another model.
    #[error(
        "the user representation has {found} factors but this model uses {expected}: build it with this model's `user` or `fold_in`"
    )]
    ReprMismatch {
        /// Factors the model uses.
        expected: usize,
        /// Factors in the representation.
        found: usize,
    },
    /// An operation the algorithm cannot answer.
    #[error("{algorithm} does not support {operation}")]
    Unsupported {
        /// The algorithm asked.
        algorithm: Algorithm,
        /// What was asked.
        operation: &'static str,
    },
    /// Training was stopped through [`crate::Progress::cancelled`].
    #[error("training was cancelled after epoch {epoch}")]
    Cancelled {
        /// The last completed epoch.
        epoch: usize,
    },
    /// The loss became infinite or NaN.
    #[error(
        "{algorithm} diverged at epoch {epoch} (loss {loss}): lower the learning rate or raise the regularization"
    )]
    Diverged {
        /// The algorithm being trained.
        algorithm: Algorithm,
        /// The epoch where it happened.
        epoch: usize,
        /// The loss seen.
        loss: f64,
    },
    /// The tensor library failed while training.
    #[error(
        "{algorithm}: the tensor computation failed: {message}; this is a bug in orrery-models, please report it with the parameters used"
    )]
    Backend {
        /// The algorithm being trained.
        algorithm: Algorithm,
        /// The library's message.
        message: String,
    },
    /// A linear system could not be solved.
    #[error("{algorithm}: {what} is not positive definite: raise the regularization")]
    NotPositiveDefinite {
        /// The algorithm being trained.
        algorithm: Algorithm,
        /// Which matrix.
        what: &'static str,
    },
    /// Bytes that do not start like an Orrery model.
    #[error("not an Orrery model: the data does not start with the model header")]
    NotAModel,
    /// A model written in another format version.
    #[error(
        "model format version {found} cannot be read by this build, which reads version {supported}: retrain the model with this build"
    )]
    FormatVersion {
        /// Version in the data.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A model whose body does not decode or is inconsistent.
    #[error("the model data is corrupt: {0}")]
    Corrupt(String),
    /// Reading or writing the model failed.
    #[error("model I/O failed: {0}")]
    Io(#[from] std::io::Error),
}
