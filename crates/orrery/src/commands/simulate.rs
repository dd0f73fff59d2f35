//! `orrery simulate`: the Poppy Universe generators, as CSV files or into the store.

use std::path::PathBuf;

use anyhow::{Context, Result};
use orrery_data::simulate::{
    DEFAULT_NOW, ObjectConfig, STRENGTH_SIGNAL_HELP, UniverseConfig, simulate,
};

use super::store_records;
use crate::config::Config;

/// Simulate the Poppy Universe: users × celestial categories with the Poppy Universe's
/// own probabilities (Layer 3 and 4 input), and a catalog of stars, planets and moons with
/// views, clicks and favorites (Layer 2 input). The planted truth (each user's preferred
/// category type) is written beside the data. The same --seed gives byte-identical files.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Number of users.
    #[arg(long, default_value_t = 120)]
    pub users: u32,
    /// Number of user × category interactions.
    #[arg(long, default_value_t = 12_000)]
    pub interactions: u32,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 0.0, help = STRENGTH_SIGNAL_HELP)]
    pub strength_signal: f64,
    /// Reference time that "days ago" counts back from: Unix seconds, RFC 3339, or `now`.
    /// The default is a fixed instant (2026-01-01T00:00:00Z) so that runs are reproducible.
    #[arg(long)]
    pub now: Option<String>,
    /// Stars in the object catalog.
    #[arg(long, default_value_t = ObjectConfig::default().stars)]
    pub stars: u32,
    /// Planets in the object catalog.
    #[arg(long, default_value_t = ObjectConfig::default().planets)]
    pub planets: u32,
    /// Moons in the object catalog.
    #[arg(long, default_value_t = ObjectConfig::default().moons)]
    pub moons: u32,
    /// Object views, clicks and favorites together.
    #[arg(long, default_value_t = ObjectConfig::default().events)]
    pub object_events: u32,
    /// Folder for the CSV files (default ./orrery-data/simulated unless --load is given).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Store the simulated users, items and interactions in the database.
    #[arg(long)]
    pub load: bool,
}

impl SimulateArgs {
    /// The simulator configuration these flags describe.
    pub fn universe(&self) -> Result<UniverseConfig> {
        Ok(UniverseConfig {
            users: self.users,
            interactions: self.interactions,
            seed: self.seed,
            strength_signal: self.strength_signal,
            now: parse_now(self.now.as_deref())?,
            objects: ObjectConfig {
                stars: self.stars,
                planets: self.planets,
                moons: self.moons,
                events: self.object_events,
                ..ObjectConfig::default()
            },
            ..UniverseConfig::default()
        })
    }
}

pub async fn run(args: SimulateArgs, config: &Config) -> Result<()> {
    let universe = simulate(&args.universe()?)?;
    let out = match (&args.out, args.load) {
        (Some(dir), _) => Some(dir.clone()),
        (None, false) => Some(PathBuf::from("orrery-data/simulated")),
        (None, true) => None,
    };
    if let Some(dir) = out {
        for file in universe.write_csv(&dir)? {
            println!("wrote {}", file.display());
        }
    }
    if args.load {
        let store = config.open_store().await?;
        let summary = store_records(&store, universe.records()).await?;
        store.close().await;
        println!(
            "stored {} users, {} items, {} interactions ({} already present)",
            summary.users,
            summary.items,
            summary.interactions_inserted,
            summary.interactions_skipped
        );
    }
    Ok(())
}

fn parse_now(text: Option<&str>) -> Result<i64> {
    match text {
        None => Ok(DEFAULT_NOW),
        Some("now") => Ok(chrono::Utc::now().timestamp()),
        Some(t) => match t.parse::<i64>() {
            Ok(seconds) => Ok(seconds),
            Err(_) => chrono::DateTime::parse_from_rfc3339(t)
                .map(|d| d.timestamp())
                .with_context(|| {
                    format!("--now {t:?}: expected Unix seconds, RFC 3339 (2026-01-01T00:00:00Z) or `now`")
                }),
        },
    }
}
