//! `orrery demo`: the main job on the embedded default, with nothing to download.

use anyhow::Result;
use orrery_data::simulate::{UniverseConfig, simulate};

use super::store_records;
use crate::config::Config;

/// Simulate the Poppy Universe, store it, and show what the store holds.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Random seed of the simulated universe.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

pub async fn run(args: DemoArgs, config: &Config) -> Result<()> {
    let universe = simulate(&UniverseConfig {
        seed: args.seed,
        ..UniverseConfig::default()
    })?;
    let store = config.open_store().await?;
    println!("database: {}", crate::config::redact(&config.database_url));
    let summary = store_records(&store, universe.records()).await?;
    println!(
        "simulated universe (seed {}): {} users, {} items, {} interactions stored ({} already present)",
        args.seed,
        summary.users,
        summary.items,
        summary.interactions_inserted,
        summary.interactions_skipped
    );
    let stats = store.stats().await?;
    println!("{}", serde_json::to_string_pretty(&stats)?);
    store.close().await;
    Ok(())
}
