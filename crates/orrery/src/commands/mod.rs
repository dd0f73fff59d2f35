//! One module per subcommand.

pub mod bench;
pub mod demo;
pub mod eval;
pub mod experiment;
pub mod generate;
pub mod import;
pub mod pipeline;
pub mod serve;
pub mod simulate;
pub mod simulate_users;
pub mod stats;
pub mod train;

use anyhow::Result;
use orrery_core::Record;
use orrery_store::{ImportSummary, Store};

/// Records per write: large enough to amortise statement overhead, small enough that the
/// parser and the database overlap.
pub const BATCH: usize = 10_000;

/// Writes records into the store as one all-or-nothing import.
pub async fn store_records(
    store: &Store,
    records: impl IntoIterator<Item = Record>,
) -> Result<ImportSummary> {
    let mut tx = store.begin_import().await?;
    let mut batch = Vec::with_capacity(BATCH);
    for record in records {
        batch.push(record);
        if batch.len() == BATCH {
            tx.write(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        tx.write(&batch).await?;
    }
    let summary = tx.commit().await?;
    announce_import(store).await;
    Ok(summary)
}

/// Tells the servers on the same database that an import changed the data, so that they
/// read the catalog and the users again. The import is stored either way.
pub async fn announce_import(store: &Store) {
    if let Err(e) = store.announce(&orrery_store::Change::Imported).await {
        tracing::warn!("the import is stored, but running servers were not told of it: {e}");
    }
}
