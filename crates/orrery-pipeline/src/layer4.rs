//! Layer 4, the tanh network's refined user × category predictions, in the same columns as
//! layer 3, with the RMSE on held-out cells.
//!
//! The network is `orrery-models`' `layer4` algorithm; a build without it answers
//! [`Error::Layer4Unavailable`].

use std::collections::BTreeMap;

use crate::Error;
use crate::config::PipelineConfig;
use crate::data::PoppyData;
use crate::matrix::CategoryMatrix;

/// Refined scores and the figures that describe them.
pub struct Layer4Output {
    pub matrix: CategoryMatrix,
    /// Row-major like the matrix, in `[0, 1]`.
    pub scores: Vec<f64>,
    pub quality: BTreeMap<String, f64>,
}

/// Whether this build has the tanh network.
pub fn available() -> bool {
    false
}

/// Fits the tanh network on the user × category cells and predicts every cell.
pub fn refine(_data: &PoppyData, _config: &PipelineConfig) -> Result<Layer4Output, Error> {
    Err(Error::Layer4Unavailable)
}
