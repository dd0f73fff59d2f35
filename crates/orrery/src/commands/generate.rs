//! `orrery generate`: a synthetic MovieLens-shaped dataset of any size, as files.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use orrery_data::synthetic::{SyntheticConfig, write_synthetic};

/// Generate a synthetic dataset in the MovieLens 20M layout (ratings.csv, movies.csv):
/// power-law item popularity and user activity, a taste genre per user. The defaults
/// are MovieLens 20M's size; the same --seed gives byte-identical files. Import it with
/// `orrery import DIR`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Number of users.
    #[arg(long, default_value_t = SyntheticConfig::movielens_20m().users)]
    pub users: u32,
    /// Number of items.
    #[arg(long, default_value_t = SyntheticConfig::movielens_20m().items)]
    pub items: u32,
    /// Number of interactions (distinct user × item pairs).
    #[arg(long, default_value_t = SyntheticConfig::movielens_20m().interactions)]
    pub interactions: u64,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Exponent of the item popularity law (1.0 is Zipf's).
    #[arg(long, default_value_t = SyntheticConfig::movielens_20m().item_exponent)]
    pub item_exponent: f64,
    /// Folder for the files.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: GenerateArgs) -> Result<()> {
    let config = SyntheticConfig {
        users: args.users,
        items: args.items,
        interactions: args.interactions,
        seed: args.seed,
        item_exponent: args.item_exponent,
        ..SyntheticConfig::movielens_20m()
    };
    let started = Instant::now();
    let summary = write_synthetic(&config, &args.out)?;
    println!(
        "wrote {} interactions of {} users on {} items to {} in {:.1} s \
         (most active user {}, top 1% of items take {:.1}%)",
        summary.interactions,
        summary.users,
        summary.items,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        summary.max_per_user,
        f64::from(summary.top_percent_share_permille) / 10.0
    );
    Ok(())
}
