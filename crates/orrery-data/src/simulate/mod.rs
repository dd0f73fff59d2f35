//! The Poppy Universe simulator: the seed's Layer 4 generator with its probabilities
//! reproduced exactly, a celestial catalog with object-level views, clicks and favorites
//! for Layer 2, and the planted truth beside them.
//!
//! Everything is drawn from ChaCha8 streams of one seed ([`orrery_core::rng`]), so the
//! same [`UniverseConfig`] gives byte-identical files on every machine. Each part has its
//! own stream (interactions, favourite hours, catalog, object events), so that changing
//! one part (say, the number of object events or the strength signal) leaves the others
//! as they were.
//!
//! ```no_run
//! use orrery_data::simulate::{UniverseConfig, simulate};
//!
//! let universe = simulate(&UniverseConfig { seed: 7, ..UniverseConfig::default() })?;
//! universe.write_csv(std::path::Path::new("poppy"))?;
//! # Ok::<(), orrery_data::simulate::SimulateError>(())
//! ```

mod catalog;
mod config;
mod interactions;
mod output;
pub(crate) mod sampling;

use std::path::PathBuf;

pub use catalog::{
    CelestialObject, MOON_PARENT_WEIGHTS, ObjectEvent, ObjectEventKind, PLANET_TYPE_WEIGHTS,
    STAR_TYPE_WEIGHTS,
};
pub use config::{
    DEFAULT_NOW, FAVOURITE_HOURS_DRAWS, MAX_OBJECTS, MAX_USERS, ObjectConfig, PREFERRED_TYPE_DRAWS,
    SEED_HOUR_PROBS, STRENGTH_SIGNAL_HELP, UniverseConfig,
};
pub use interactions::{HourWindow, PoppyInteraction};
pub use output::{
    INTERACTIONS_FILE, OBJECT_COLUMNS, OBJECT_INTERACTION_COLUMNS, OBJECT_INTERACTIONS_FILE,
    OBJECTS_FILE, PLANTED_FILE,
};

use crate::poppy::CATEGORY_TYPES;

/// Why a simulation could not run or be written.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// A configuration field is out of range.
    #[error("invalid simulation setting `{field}`: {message}")]
    InvalidConfig {
        field: &'static str,
        message: String,
    },
    /// A file or folder could not be written.
    #[error("cannot write {}: {source}; check that the folder exists and is writable", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A CSV row could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    /// A timestamp fell outside the dates that can be written.
    #[error(
        "timestamp {micros} µs since 1970 cannot be written as a date; choose a reference time `now` between years 1 and 9999"
    )]
    Timestamp { micros: i64 },
    /// An object event points past the end of the catalog.
    #[error(
        "object event on object index {object}, but the catalog has {objects} objects; events must index `Universe::objects`"
    )]
    UnknownObject { object: u32, objects: usize },
}

/// A simulated Poppy Universe.
#[derive(Debug, Clone, PartialEq)]
pub struct Universe {
    /// Layer 4 user × category interactions, in `Interaction_ID` order.
    pub interactions: Vec<PoppyInteraction>,
    /// Every user (`1..=users`) with their preferred category type, if any: the planted
    /// truth.
    pub preferences: Vec<(u32, Option<&'static str>)>,
    /// Every user's favourite hours (index `user - 1`), when
    /// [`UniverseConfig::strength_signal`] > 0: the planted truth of the signal.
    pub favourite_hours: Option<Vec<HourWindow>>,
    /// The celestial catalog.
    pub objects: Vec<CelestialObject>,
    /// Layer 2 object events, in `Interaction_ID` order.
    pub object_events: Vec<ObjectEvent>,
}

/// Simulates the universe `config` describes, after checking it.
pub fn simulate(config: &UniverseConfig) -> Result<Universe, SimulateError> {
    config.validate()?;
    let layer4 = interactions::simulate_interactions(config)?;
    let objects = catalog::simulate_catalog(config);
    let object_events = catalog::simulate_object_events(config, &objects, &layer4.preferences)?;
    let preferences = layer4
        .preferences
        .iter()
        .zip(1..)
        .map(|(preferred, user)| (user, preferred.map(|t| CATEGORY_TYPES[t])))
        .collect();
    Ok(Universe {
        interactions: layer4.interactions,
        preferences,
        favourite_hours: layer4.favourite_hours,
        objects,
        object_events,
    })
}

/// A timestamp in Unix microseconds as pandas writes a `datetime64` column:
/// `2025-11-30 02:02:11.902417`.
pub fn format_timestamp(micros: i64) -> Result<String, SimulateError> {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
        .ok_or(SimulateError::Timestamp { micros })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_like_pandas() {
        // 2025-11-30 02:02:11.902417 UTC
        let micros = 1_764_468_131_902_417;
        assert_eq!(
            format_timestamp(micros).ok().as_deref(),
            Some("2025-11-30 02:02:11.902417")
        );
        assert_eq!(
            format_timestamp(1_764_468_131_000_000).ok().as_deref(),
            Some("2025-11-30 02:02:11.000000")
        );
        assert!(format_timestamp(i64::MAX).is_err());
    }
}
