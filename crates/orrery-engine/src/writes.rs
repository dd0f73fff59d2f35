//! Group commit of interaction writes: the events of concurrent requests are written in
//! one transaction, and each request is answered once the transaction holding its events
//! has committed.
//!
//! A transaction costs the same few round trips and one commit (an fsync on PostgreSQL)
//! whether it holds one event or hundreds, and SQLite admits one writer at a time, so
//! writing each request's events in a transaction of its own caps ingestion at one
//! transaction per request. One writer task takes whatever requests queued while the
//! previous transaction ran: under light load a request is written alone and at once,
//! under heavy load the batches grow.

use orrery_core::InteractionRecord;
use orrery_store::{Error, Store};
use tokio::sync::{mpsc, oneshot};

/// Events written in one transaction, at most (a larger single request is still written
/// whole).
const MAX_EVENTS_PER_TRANSACTION: usize = 2_000;

/// One request's events and where to send how many were new.
struct Pending {
    events: Vec<InteractionRecord>,
    done: oneshot::Sender<Result<u64, Error>>,
}

/// The handle of the writer task.
pub(crate) struct EventWriter {
    queue: mpsc::UnboundedSender<Pending>,
}

/// The writer task is gone (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("the event writer has stopped")]
pub struct WriterStopped;

impl EventWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(store: Store) -> EventWriter {
        let (queue, requests) = mpsc::unbounded_channel();
        tokio::spawn(run(store, requests));
        EventWriter { queue }
    }

    /// Stores `events` (skipping those already stored) and returns how many were new,
    /// once they are committed.
    pub(crate) async fn write(
        &self,
        events: Vec<InteractionRecord>,
    ) -> Result<Result<u64, Error>, WriterStopped> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Pending { events, done })
            .map_err(|_| WriterStopped)?;
        committed.await.map_err(|_| WriterStopped)
    }
}

async fn run(store: Store, mut requests: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = requests.recv().await {
        let mut events = first.events.len();
        let mut batch = vec![first];
        while events < MAX_EVENTS_PER_TRANSACTION {
            match requests.try_recv() {
                Ok(next) => {
                    events += next.events.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let lists: Vec<&[InteractionRecord]> = batch.iter().map(|p| &p.events[..]).collect();
        let written = store.add_interaction_lists(&lists).await;
        drop(lists);
        match written {
            Ok(counts) => {
                for (pending, count) in batch.into_iter().zip(counts) {
                    let _ = pending.done.send(Ok(count));
                }
            }
            Err(error) if batch.len() == 1 => {
                let _ = batch.pop().expect("one request").done.send(Err(error));
            }
            // One request's events failed the shared transaction (an item deleted since
            // it was checked, say): each is written on its own, so only that one fails.
            Err(_) => {
                for Pending { events, done } in batch {
                    let _ = done.send(store.add_interactions(&events).await);
                }
            }
        }
    }
}
