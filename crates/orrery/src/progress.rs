//! Training progress as an indicatif bar: epoch, loss, validation and elapsed time.

use indicatif::{ProgressBar, ProgressStyle};
use orrery_models::{EpochReport, Progress, ValidationReport};

/// Shows each finished epoch on a progress bar (or nothing when hidden).
pub struct EpochBar {
    bar: ProgressBar,
    visible: bool,
    /// The last epoch's loss and validation, shown together.
    loss: Option<f64>,
    validation: Option<ValidationReport>,
}

impl EpochBar {
    /// A bar labelled `label`; `visible = false` draws nothing and asks for no extra loss
    /// computation, so that timings are not disturbed.
    pub fn new(label: String, visible: bool) -> Self {
        let bar = if visible {
            ProgressBar::new(0)
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] epoch {pos}/{len} {msg} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label);
        Self {
            bar,
            visible,
            loss: None,
            validation: None,
        }
    }

    fn show(&self) {
        let mut parts = Vec::new();
        if let Some(loss) = self.loss {
            parts.push(format!("loss {loss:.4}"));
        }
        if let Some(v) = self
            .validation
            .filter(|v| v.epoch == self.bar.position() as usize)
        {
            parts.push(format!("validation {} {:.4}", v.metric, v.value));
        }
        self.bar.set_message(parts.join(", "));
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for EpochBar {
    fn on_epoch(&mut self, report: &EpochReport) {
        self.bar.set_length(report.epochs as u64);
        self.bar.set_position(report.epoch as u64);
        self.loss = report.loss.is_finite().then_some(report.loss);
        self.show();
    }

    fn on_validation(&mut self, report: &ValidationReport) {
        self.validation = Some(*report);
        self.show();
        // A hidden bar still leaves the per-epoch validation in the log.
        tracing::info!(
            epoch = report.epoch,
            metric = report.metric,
            value = report.value,
            "validation"
        );
    }

    fn wants_loss(&self) -> bool {
        self.visible
    }
}

impl orrery_train::Observer for EpochBar {
    fn phase(&mut self, phase: orrery_train::Phase) {
        self.bar.set_prefix(phase.name());
        self.bar.set_position(0);
        self.bar.set_message("");
    }

    fn epoch(&mut self, report: &EpochReport) {
        self.on_epoch(report);
    }

    fn validation(&mut self, report: &ValidationReport) {
        self.on_validation(report);
    }

    fn wants_loss(&self) -> bool {
        self.visible
    }
}
