//! `orrery import`: reads a dataset folder or file and stores it in one transaction.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use orrery_core::Record;
use orrery_data::import::{Entity, Format, Import, ImportError, ImportOptions};

use super::BATCH;
use crate::config::Config;

/// Import a dataset: MovieLens (100K, 1M, 10M, 20M/25M/latest), a single ratings file,
/// HetRec 2011 Last.fm, Poppy Universe CSV, or generic CSV/JSONL. The layout is detected
/// from the files; gzipped files are read as they are. Re-running an import adds no
/// duplicates, and a failed import leaves the database as it was.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A dataset folder or a single file.
    pub path: PathBuf,
    /// Force a layout instead of detecting it: movielens-100k, movielens-1m,
    /// movielens-10m, movielens-csv, ratings, hetrec-lastfm, poppy, csv, jsonl.
    #[arg(long)]
    pub format: Option<Format>,
    /// For generic CSV/JSONL: what the rows are (users, items, interactions).
    #[arg(long)]
    pub entity: Option<Entity>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ImportArgs, config: &Config) -> Result<()> {
    let options = ImportOptions {
        format: args.format,
        entity: args.entity,
    };
    let import = Import::open(&args.path, &options)?;
    let format = import.format();
    let total = import.bytes_total();
    let store = config.open_store().await?;
    let started = Instant::now();

    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{spinner} importing {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
        )
        .context("progress template")?
        .progress_chars("=> "),
    );
    bar.set_message(args.path.display().to_string());
    bar.enable_steady_tick(Duration::from_millis(200));

    // Parsing runs on its own thread so that it overlaps with the database writes.
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<Record>, ImportError>>(4);
    let parser = {
        let bytes_read = Arc::clone(&bytes_read);
        std::thread::spawn(move || parse(import, sender, &bytes_read))
    };

    let mut tx = store.begin_import().await?;
    while let Some(message) = receiver.recv().await {
        match message {
            Ok(batch) => tx.write(&batch).await?,
            Err(error) => {
                bar.abandon();
                tx.rollback().await?;
                return Err(anyhow::Error::new(error).context("import failed; nothing was stored"));
            }
        }
        bar.set_position(bytes_read.load(Ordering::Relaxed));
    }
    // The channel closes when the parser is done; a panic there must not pass for success.
    parser
        .join()
        .map_err(|_| anyhow::anyhow!("the parser thread panicked; nothing was stored"))?;
    let summary = tx.commit().await?;
    super::announce_import(&store).await;
    bar.finish_and_clear();

    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["format"] = format.to_string().into();
        value["seconds"] = seconds.into();
        println!("{value}");
    } else {
        println!(
            "imported {} ({format}) in {seconds:.1} s: {} users, {} items, {} interactions added, {} already present",
            args.path.display(),
            summary.users,
            summary.items,
            summary.interactions_inserted,
            summary.interactions_skipped,
        );
    }
    store.close().await;
    Ok(())
}

fn parse(
    mut import: Import,
    sender: tokio::sync::mpsc::Sender<Result<Vec<Record>, ImportError>>,
    bytes_read: &AtomicU64,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(record) = import.next() {
        match record {
            Ok(record) => batch.push(record),
            Err(error) => {
                let _ = sender.blocking_send(Err(error));
                return;
            }
        }
        if batch.len() == BATCH {
            bytes_read.store(import.bytes_read(), Ordering::Relaxed);
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if sender.blocking_send(Ok(full)).is_err() {
                return; // the writer gave up; its error is reported there
            }
        }
    }
    bytes_read.store(import.bytes_read(), Ordering::Relaxed);
    if !batch.is_empty() {
        let _ = sender.blocking_send(Ok(batch));
    }
}
