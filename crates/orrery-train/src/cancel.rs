//! Stopping a run from outside: the server's `POST /training/cancel` and its shutdown,
//! and Ctrl-C in `orrery train`, ask a run to stop through a [`Cancel`] that the run polls
//! between epochs and between phases.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use orrery_models::{EpochReport, Progress};

use crate::flow::TrainError;

/// A request to stop a run, shared by the run and whoever may stop it (clones share it).
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    requested: AtomicBool,
    reason: Mutex<Option<String>>,
}

impl Cancel {
    /// A request nobody has made yet.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the run to stop, for `reason` (recorded with the run). The first reason stays.
    pub fn cancel(&self, reason: &str) {
        let mut stored = self
            .0
            .reason
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        stored.get_or_insert_with(|| reason.to_owned());
        self.0.requested.store(true, Ordering::Release);
    }

    /// Whether the run was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.0.requested.load(Ordering::Acquire)
    }

    /// [`TrainError::Cancelled`] once the run was asked to stop: for the checks between
    /// phases.
    pub fn check(&self) -> Result<(), TrainError> {
        if self.is_cancelled() {
            Err(TrainError::Cancelled {
                reason: self.reason().unwrap_or_else(|| "cancelled".to_owned()),
            })
        } else {
            Ok(())
        }
    }

    /// Why the run was asked to stop.
    pub fn reason(&self) -> Option<String> {
        self.0
            .reason
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Progress that reports nothing and stops the fit when `cancel` is requested.
pub(crate) struct CancelOnly<'a>(pub &'a Cancel);

impl Progress for CancelOnly<'_> {
    fn on_epoch(&mut self, _report: &EpochReport) {}

    fn cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    fn wants_loss(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_request_and_the_first_reason_stays() {
        let cancel = Cancel::new();
        let seen_by_the_run = cancel.clone();
        assert!(!seen_by_the_run.is_cancelled());
        assert_eq!(seen_by_the_run.reason(), None);
        cancel.cancel("the admin asked");
        cancel.cancel("the server stopped");
        assert!(seen_by_the_run.is_cancelled());
        assert_eq!(seen_by_the_run.reason().as_deref(), Some("the admin asked"));
    }
}
