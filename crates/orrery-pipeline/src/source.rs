//! The data source rule of the seed's master notebooks: the store's interactions when it
//! holds enough of them on celestial items, otherwise a fresh seeded simulation, with the
//! reason either way.

use orrery_core::EventWeights;
use orrery_data::simulate::{UniverseConfig, simulate};
use orrery_store::Store;

use crate::Error;
use crate::config::{SourceChoice, SourceRule};
use crate::data::{Collector, PoppyData};
use crate::report::{DataSource, SourceKind};

/// What the rule decided, before any CPU-heavy work.
#[derive(Debug)]
pub enum Decision {
    /// Enough celestial data in the store: here it is.
    Store { data: PoppyData, reason: String },
    /// A simulation stands in, for this reason.
    Simulate { reason: String },
}

/// Applies `rule` to what `store` holds. Reads only counts when the store is clearly too
/// small, and the raw events of the users with celestial interactions otherwise.
pub async fn decide(store: &Store, rule: &SourceRule) -> Result<Decision, Error> {
    if rule.choice == SourceChoice::Simulated {
        return Ok(Decision::Simulate {
            reason: "the source was set to simulated".into(),
        });
    }
    let thresholds = format!(
        "at least {} interactions from at least {} users on celestial items are needed",
        rule.min_interactions, rule.min_users
    );
    let not_enough = |found: String| -> Result<Decision, Error> {
        let reason = format!("{found}; {thresholds}");
        match rule.choice {
            SourceChoice::Store => Err(Error::NotEnoughData { reason }),
            _ => Ok(Decision::Simulate { reason }),
        }
    };

    let stats = store.stats().await?;
    if stats.interactions < rule.min_interactions {
        return not_enough(format!(
            "the store holds {} interactions in all",
            stats.interactions
        ));
    }

    // The snapshot gives the items with their categories and which users touched them;
    // its cells merge repeated events, so the raw events are read per user afterwards.
    let snapshot = store.load_dataset(&EventWeights::default()).await?;
    let mut collector = Collector::default();
    let mut celestial_columns = vec![false; snapshot.n_items()];
    for (index, is_celestial) in celestial_columns.iter_mut().enumerate() {
        if let Some(item) = snapshot.item(index as u32) {
            collector.item(item);
            *is_celestial = collector.is_celestial(&item.id);
        }
    }
    let celestial_users: Vec<&str> = (0..snapshot.n_users() as u32)
        .filter(|&u| {
            snapshot
                .user_row(u)
                .indices
                .iter()
                .any(|&i| celestial_columns.get(i as usize).copied().unwrap_or(false))
        })
        .filter_map(|u| snapshot.users().external(u))
        .collect();
    if (celestial_users.len() as u64) < rule.min_users {
        return not_enough(format!(
            "{} users of the store have interactions on celestial items",
            celestial_users.len()
        ));
    }

    for user in &celestial_users {
        for event in store.user_interactions(user).await?.unwrap_or_default() {
            collector.event(&event);
        }
    }
    let data = collector.finish(None);
    let events = data.events.len() as u64;
    if events < rule.min_interactions {
        return not_enough(format!(
            "the store holds {events} interactions from {} users on celestial items",
            data.users.len()
        ));
    }
    let reason = format!(
        "the store holds {events} interactions from {} users on celestial items, enough for \
         the thresholds ({} interactions, {} users)",
        data.users.len(),
        rule.min_interactions,
        rule.min_users
    );
    Ok(Decision::Store { data, reason })
}

/// Turns a decision into data: the store's, or a universe simulated from `simulation` with
/// `seed` (a fresh one when `None`).
pub fn materialize(
    decision: Decision,
    simulation: &UniverseConfig,
    seed: Option<u64>,
) -> Result<(PoppyData, DataSource), Error> {
    let (data, kind, reason, seed) = match decision {
        Decision::Store { data, reason } => (data, SourceKind::Store, reason, None),
        Decision::Simulate { reason } => {
            let seed = seed.unwrap_or_else(fresh_seed);
            let universe = simulate(&UniverseConfig {
                seed,
                ..simulation.clone()
            })?;
            let data = PoppyData::from_universe(&universe);
            let reason = format!("{reason}, so a fresh simulation (seed {seed}) stands in");
            (data, SourceKind::Simulated, reason, Some(seed))
        }
    };
    let source = DataSource {
        kind,
        reason,
        seed,
        users: data.users.len(),
        interactions: data.events.len(),
    };
    Ok((data, source))
}

/// A seed that differs from run to run, from the clock and the process.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // Spread nearby clock readings over the whole range (SplitMix64's finalizer).
    let mut z = nanos ^ (u64::from(std::process::id()) << 32);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
