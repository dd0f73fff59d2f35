//! Training progress as an indicatif bar: epoch, loss and elapsed time.

use indicatif::{ProgressBar, ProgressStyle};
use orrery_models::{EpochReport, Progress};

/// Shows each finished epoch on a progress bar (or nothing when hidden).
pub struct EpochBar {
    bar: ProgressBar,
    visible: bool,
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
        Self { bar, visible }
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
        if report.loss.is_finite() {
            self.bar.set_message(format!("loss {:.4}", report.loss));
        }
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

    fn wants_loss(&self) -> bool {
        self.visible
    }
}
