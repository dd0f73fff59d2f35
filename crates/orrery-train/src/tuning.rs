//! Serving settings chosen from the data with each trained model.
//!
//! Some of the flow's settings are properties of the data rather than of the code (how
//! much a short history leans on popularity, say), so a training run measures them on
//! its validation split and stores the choice with the version. The flow belongs to the
//! serving engine, which depends on this crate; it implements [`FlowTuner`], and the
//! callers that train (`orrery train`, the server) pass it in [`crate::TrainSettings`].

use orrery_core::Dataset;
use orrery_models::{ItemVectors, Params, Progress};
use orrery_store::ParamMap;

/// Chooses flow settings for a model on a validation split of its data.
pub trait FlowTuner: Send + Sync + std::fmt::Debug {
    /// The settings chosen for a model of `params` on `dataset` (`vectors`: the items'
    /// text embeddings, in `dataset`'s item order), or `None` when the data is too small
    /// to choose on. `progress` follows the fits, and stops the choice when it asks to.
    fn tune(
        &self,
        dataset: &Dataset,
        params: &Params,
        vectors: Option<&ItemVectors>,
        progress: &mut dyn Progress,
    ) -> Result<Option<Tuned>, crate::TrainError>;
}

/// Flow settings chosen by a [`FlowTuner`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tuned {
    /// The settings, stored with the version's parameters (keys start with `flow.`).
    pub params: ParamMap,
    /// One sentence on the choice, for logs and answers.
    pub description: String,
}
