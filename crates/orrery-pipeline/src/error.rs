//! [`Error`]: why a pipeline run could not produce its file, each variant saying what to do.

use std::path::PathBuf;

/// Why a layer could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A layer number that the pipeline does not have.
    #[error("layer {0:?} does not exist: the pipeline runs layers 2, 3 and 4")]
    UnknownLayer(String),
    /// A setting out of range.
    #[error("invalid pipeline setting `{field}`: {message}")]
    InvalidConfig {
        field: &'static str,
        message: String,
    },
    /// The store was required as the source but does not hold enough celestial data.
    #[error(
        "{reason}; import Poppy Universe data first (orrery import FILE.csv, or orrery simulate \
         --load), lower the thresholds, or let the pipeline simulate (source auto)"
    )]
    NotEnoughData { reason: String },
    /// The chosen data gives a layer nothing to compute.
    #[error("layer {layer} has nothing to compute: {what}")]
    NoData { layer: u8, what: String },
    /// Reading the store failed.
    #[error("reading the store: {0}")]
    Store(#[from] orrery_store::Error),
    /// The simulation could not run.
    #[error("simulating the Poppy Universe: {0}")]
    Simulate(#[from] orrery_data::simulate::SimulateError),
    /// Fitting a model failed.
    #[error("fitting the layer's model: {0}")]
    Model(#[from] orrery_models::Error),
    /// The output folder or file could not be written.
    #[error("cannot write {}: {source}; check that the output folder is writable", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A CSV row could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    /// The worker thread running the layer stopped abnormally.
    #[error("the layer's worker stopped abnormally: {0}")]
    Worker(String),
}

impl Error {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::InvalidConfig {
            field,
            message: message.into(),
        }
    }
}
