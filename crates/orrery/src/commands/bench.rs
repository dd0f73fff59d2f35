//! `orrery bench`: measurements of the engine's own stages, printed as JSON for the
//! scripts in `bench/`.

use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use crate::config::Config;
use crate::sys::peak_rss_mb;

/// Measure a stage of the engine.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub stage: Stage,
}

#[derive(Debug, clap::Subcommand)]
pub enum Stage {
    /// Load the store into an in-memory Dataset: seconds, Dataset size, peak memory.
    Load,
}

pub async fn run(args: BenchArgs, config: &Config) -> Result<()> {
    match args.stage {
        Stage::Load => load(config).await,
    }
}

async fn load(config: &Config) -> Result<()> {
    let store = config.open_store().await?;
    let started = Instant::now();
    let dataset = store.load_dataset(&config.weights).await?;
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    let report = json!({
        "stage": "load",
        "backend": store.backend().to_string(),
        "users": dataset.n_users(),
        "items": dataset.n_items(),
        "interactions": dataset.nnz(),
        "seconds": seconds,
        "dataset_mb": dataset.heap_bytes() as f64 / (1024.0 * 1024.0),
        "peak_rss_mb": peak_rss_mb(),
    });
    println!("{report}");
    Ok(())
}
