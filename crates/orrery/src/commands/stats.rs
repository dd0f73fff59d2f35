//! `orrery stats`: counts of what the store holds.

use anyhow::Result;

use crate::config::Config;

/// Show how many users, items and interactions the store holds.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: StatsArgs, config: &Config) -> Result<()> {
    let store = config.open_store().await?;
    let stats = store.stats().await?;
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
    } else {
        println!(
            "users         {:>12} ({} with interactions)",
            stats.users, stats.active_users
        );
        println!(
            "items         {:>12} ({} with interactions)",
            stats.items, stats.rated_items
        );
        println!("interactions  {:>12}", stats.interactions);
        println!("density       {:>12.6}", stats.density);
        match stats.mean_rating {
            Some(mean) => println!("mean rating   {mean:>12.4}"),
            None => println!("mean rating   {:>12}", "-"),
        }
    }
    Ok(())
}
