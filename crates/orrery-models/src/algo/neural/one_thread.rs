//! Candle fits on a rayon pool of one thread, with their progress relayed to the caller.
//!
//! Candle splits element-wise operations and matrix products over the threads of the
//! current rayon pool. At the layer widths and batch sizes of these networks the hand-offs
//! cost more than they save: an epoch of the two-tower network on `ml-1m-users-1-2999` took
//! 23 s on two threads and 12 s on one. A fit therefore runs on a pool of its own thread,
//! whatever the process-wide pool holds, while the calling thread passes its progress
//! reports on (the caller's [`Progress`] need not be `Send`).

use std::sync::mpsc;

use crate::{EpochReport, Progress, ValidationReport};

/// A report on its way from the training thread to the caller's progress.
enum Report {
    Epoch(EpochReport),
    Validation(ValidationReport),
}

/// The training thread's [`Progress`]: it hands every report to the calling thread and
/// waits until that thread's progress has taken it, so that reports arrive in order and a
/// cancellation stops the fit after the same epoch as when called directly.
struct Relay {
    reports: mpsc::Sender<Report>,
    /// After each report, whether the caller's progress asks to stop.
    answers: mpsc::Receiver<bool>,
    cancelled: bool,
    wants_loss: bool,
}

impl Relay {
    fn pass(&mut self, report: Report) {
        if self.reports.send(report).is_ok()
            && let Ok(cancelled) = self.answers.recv()
        {
            self.cancelled = cancelled;
        }
    }
}

impl Progress for Relay {
    fn on_epoch(&mut self, report: &EpochReport) {
        self.pass(Report::Epoch(*report));
    }

    fn on_validation(&mut self, report: &ValidationReport) {
        self.pass(Report::Validation(*report));
    }

    fn cancelled(&self) -> bool {
        self.cancelled
    }

    fn wants_loss(&self) -> bool {
        self.wants_loss
    }
}

/// Runs `fit` on a rayon pool of one thread while this thread relays its progress to
/// `progress`; where no pool can be made, runs it here.
pub(crate) fn fit_on_one_thread<R: Send>(
    progress: &mut dyn Progress,
    fit: impl FnOnce(&mut dyn Progress) -> R + Send,
) -> R {
    let Ok(pool) = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "orrery-fit".to_owned())
        .build()
    else {
        return fit(progress);
    };
    let (reports, incoming) = mpsc::channel();
    let (answer, answers) = mpsc::channel();
    let mut relay = Relay {
        reports,
        answers,
        cancelled: progress.cancelled(),
        wants_loss: progress.wants_loss(),
    };
    std::thread::scope(|scope| {
        let fitting = scope.spawn(move || pool.install(move || fit(&mut relay)));
        // Ends when the fit is over and the relay, with its sender, is dropped.
        for report in incoming {
            match report {
                Report::Epoch(report) => progress.on_epoch(&report),
                Report::Validation(report) => progress.on_validation(&report),
            }
            // The fit waits for this answer; it is gone only if the fit panicked.
            let _ = answer.send(progress.cancelled());
        }
        fitting
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
