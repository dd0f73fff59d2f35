//! `orrery import`: reads a dataset folder or file and stores it in one transaction.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use orrery_core::{RatingScale, Record};
use orrery_data::import::{Entity, Format, Import, ImportError, ImportOptions, ScaleSource};

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
    /// The scale ratings are on, as LO..HI (1..10, -10..10): every rating must lie on it,
    /// and it replaces the scale kept with the stored data. Without it, a MovieLens layout
    /// brings its published scale and other files the range their ratings span, which
    /// widens the kept scale if needed.
    // A scale may start below zero (-10..10), which is not a flag.
    #[arg(long, value_name = "LO..HI", allow_hyphen_values = true)]
    pub rating_scale: Option<RatingScale>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ImportArgs, config: &Config) -> Result<()> {
    let options = ImportOptions {
        format: args.format,
        entity: args.entity,
        rating_scale: args.rating_scale,
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
    let scale_read = parser
        .join()
        .map_err(|_| anyhow::anyhow!("the parser thread panicked; nothing was stored"))?;
    let rating_scale = match scale_read {
        Some((scale, source)) => {
            let replace = source == ScaleSource::Given;
            let kept = match tx.keep_rating_scale(scale, replace).await {
                Ok(kept) => kept,
                Err(error) => {
                    tx.rollback().await?;
                    return Err(
                        anyhow::Error::new(error).context("import failed; nothing was stored")
                    );
                }
            };
            Some((scale, source, kept))
        }
        None => None,
    };
    let summary = tx.commit().await?;
    super::announce_import(&store).await;
    bar.finish_and_clear();

    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["format"] = format.to_string().into();
        value["seconds"] = seconds.into();
        if let Some((read, source, kept)) = rating_scale {
            value["rating_scale"] = serde_json::json!({
                "read": read.to_string(),
                "from": source.as_str(),
                "kept": kept.to_string(),
            });
        }
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
        if let Some((read, source, kept)) = rating_scale {
            let from = match source {
                ScaleSource::Given => "as given",
                ScaleSource::Layout => "the layout's published scale",
                ScaleSource::Data => {
                    "the range of the ratings read; state it with --rating-scale LO..HI"
                }
            };
            let kept = if kept == read {
                String::new()
            } else {
                format!("; the stored data's scale is now {kept}")
            };
            println!("ratings on a {read} scale ({from}){kept}");
        }
    }
    store.close().await;
    Ok(())
}

/// Reads the import in batches into `sender`; when it read to the end, says the scale of
/// its ratings and where that came from.
fn parse(
    mut import: Import,
    sender: tokio::sync::mpsc::Sender<Result<Vec<Record>, ImportError>>,
    bytes_read: &AtomicU64,
) -> Option<(RatingScale, ScaleSource)> {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(record) = import.next() {
        match record {
            Ok(record) => batch.push(record),
            Err(error) => {
                let _ = sender.blocking_send(Err(error));
                return None;
            }
        }
        if batch.len() == BATCH {
            bytes_read.store(import.bytes_read(), Ordering::Relaxed);
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if sender.blocking_send(Ok(full)).is_err() {
                return None; // the writer gave up; its error is reported there
            }
        }
    }
    bytes_read.store(import.bytes_read(), Ordering::Relaxed);
    if !batch.is_empty() {
        let _ = sender.blocking_send(Ok(batch));
    }
    // A layout's published scale says nothing about data that holds no ratings.
    let has_ratings = import.ratings_read() > 0;
    import
        .rating_scale()
        .filter(|&(_, source)| has_ratings || source == ScaleSource::Given)
}
