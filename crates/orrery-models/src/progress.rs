//! Training progress: a callback per epoch, which the CLI turns into a progress bar and the
//! server into a training-status endpoint.

use std::time::Duration;

/// What one finished epoch (or ALS sweep) reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    /// The epoch just finished, from 1.
    pub epoch: usize,
    /// Epochs in the fit.
    pub epochs: usize,
    /// The training loss after this epoch (for SGD: RMSE of the pass; for ALS: the
    /// weighted squared error per cell plus regularization, as `implicit` reports it).
    pub loss: f64,
    /// Time since the fit started.
    pub elapsed: Duration,
}

/// A validation measurement after one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidationReport {
    /// The epoch just finished, from 1.
    pub epoch: usize,
    /// What was measured (`rmse`, `hr@10`).
    pub metric: &'static str,
    /// Its value.
    pub value: f64,
}

/// Receives training progress.
pub trait Progress {
    /// Called after each epoch.
    fn on_epoch(&mut self, report: &EpochReport);

    /// Called after an epoch measured on a validation split (neural models, which keep
    /// the best epoch). Ignored unless overridden.
    fn on_validation(&mut self, _report: &ValidationReport) {}

    /// Polled between epochs: returning `true` stops the fit with
    /// [`crate::Error::Cancelled`].
    fn cancelled(&self) -> bool {
        false
    }

    /// Whether the loss should be computed where it costs extra work (ALS spends about a
    /// tenth of its time on it); when not, [`EpochReport::loss`] is NaN there.
    fn wants_loss(&self) -> bool {
        true
    }
}

/// Ignores progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn on_epoch(&mut self, _report: &EpochReport) {}

    fn wants_loss(&self) -> bool {
        false
    }
}

impl<F: FnMut(&EpochReport)> Progress for F {
    fn on_epoch(&mut self, report: &EpochReport) {
        self(report)
    }
}
