//! Errors of the core data model.

/// What went wrong while interpreting core values.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// An event kind name that is empty or has characters a kind cannot have.
    #[error("invalid event kind {0:?}: use a non-empty name of letters, digits, '_' or '-'")]
    InvalidEventKind(String),
    /// A weight rule that could not be parsed.
    #[error("invalid weight rule {0:?}: expected a number, \"value\" or \"log1p\"")]
    InvalidWeightRule(String),
    /// A rating scale that is not `LO..HI` with finite `LO < HI`.
    #[error("invalid rating scale {0:?}: expected LO..HI with LO below HI, as 1..5 or -10..10")]
    InvalidRatingScale(String),
}
