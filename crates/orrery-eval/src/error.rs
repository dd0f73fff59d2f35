//! Errors of splitting and evaluating.

/// What went wrong, and what to change.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A protocol option out of range.
    #[error("invalid {name} {value}: expected {expected}")]
    InvalidOption {
        /// The option.
        name: &'static str,
        /// The value given.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// A split that leaves nothing to train on or to test.
    #[error("the {protocol} split leaves {what} empty: {hint}")]
    EmptySplit {
        /// The protocol.
        protocol: &'static str,
        /// "the training set" or "the test set".
        what: &'static str,
        /// What to do.
        hint: &'static str,
    },
    /// An unknown protocol name.
    #[error(
        "unknown protocol {0:?}: expected holdout, kfold, loo, temporal, coldstart, coldstart-earliest or full"
    )]
    UnknownProtocol(String),
    /// Training or scoring failed.
    #[error(transparent)]
    Model(#[from] orrery_models::Error),
}
