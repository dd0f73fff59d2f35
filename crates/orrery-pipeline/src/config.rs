//! [`PipelineConfig`]: where the files go, when the store is used instead of a simulation,
//! and the settings of each layer, with their defaults and validation.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use orrery_core::EventWeights;
use orrery_data::simulate::UniverseConfig;
use orrery_store::Store;

use crate::Error;

/// The output folder when the database has no folder of its own (PostgreSQL), relative
/// to the working directory.
pub const DEFAULT_OUT_DIR: &str = "orrery-data/output";

/// Name of the output folder beside an SQLite database file.
const OUT_DIR_NAME: &str = "output";

/// Where the CSV files go: `given` when set, else the `output` folder beside the SQLite
/// database file of `database_url` (`orrery-data/output` for the default database), else
/// [`DEFAULT_OUT_DIR`]. Relative paths are resolved against the working directory now,
/// so that a server's files stay where its data is whatever folder it later runs in, and
/// the run report names them absolutely.
pub fn out_dir(given: Option<&Path>, database_url: &str) -> Result<PathBuf, Error> {
    let chosen = match given {
        Some(dir) => dir.to_path_buf(),
        None => match Store::sqlite_file(database_url) {
            Some(file) => file
                .parent()
                .unwrap_or_else(|| Path::new(""))
                .join(OUT_DIR_NAME),
            None => PathBuf::from(DEFAULT_OUT_DIR),
        },
    };
    std::path::absolute(&chosen).map_err(|source| Error::Write {
        path: chosen,
        source,
    })
}

/// Everything a pipeline run needs besides the store.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Folder of the CSV outputs (created when missing).
    pub out_dir: PathBuf,
    /// When the store's interactions are used.
    pub source: SourceRule,
    /// The universe simulated when the store does not have enough; its `seed` is replaced
    /// by [`seed`](Self::seed) or, without one, by a fresh seed per run.
    pub simulation: UniverseConfig,
    /// Seed of the simulation; `None` draws a fresh one per run (the seed's "regenerated
    /// each run"), which the run report names so that the run can be repeated.
    pub seed: Option<u64>,
    /// Layer 2 settings.
    pub layer2: Layer2Config,
    /// Layer 3 settings.
    pub layer3: Layer3Config,
    /// Layer 4 settings.
    pub layer4: Layer4Config,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            out_dir: PathBuf::from(DEFAULT_OUT_DIR),
            source: SourceRule::default(),
            simulation: UniverseConfig::default(),
            seed: None,
            layer2: Layer2Config::default(),
            layer3: Layer3Config::default(),
            layer4: Layer4Config::default(),
        }
    }
}

impl PipelineConfig {
    /// Checks every setting; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), Error> {
        self.layer2.validate()?;
        self.layer3.validate()?;
        self.layer4.validate()?;
        self.simulation.validate()?;
        Ok(())
    }
}

/// Which data a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceChoice {
    /// The store when it holds enough celestial interactions, else a simulation.
    #[default]
    Auto,
    /// The store, or an error when it does not hold enough.
    Store,
    /// Always a fresh simulation.
    Simulated,
}

impl FromStr for SourceChoice {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(SourceChoice::Auto),
            "store" => Ok(SourceChoice::Store),
            "simulated" | "simulate" | "simulation" => Ok(SourceChoice::Simulated),
            other => Err(Error::invalid(
                "source",
                format!("expected auto, store or simulated, found {other:?}"),
            )),
        }
    }
}

impl fmt::Display for SourceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceChoice::Auto => "auto",
            SourceChoice::Store => "store",
            SourceChoice::Simulated => "simulated",
        })
    }
}

/// The seed's master-notebook rule: real interactions once there are enough of them.
///
/// The store is used when it holds at least `min_interactions` interactions on celestial
/// items (items with a `Star`, `Planet` or `Moon` category of the universe's
/// vocabulary), made by at least `min_users` distinct users.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRule {
    pub choice: SourceChoice,
    pub min_interactions: u64,
    pub min_users: u64,
}

impl Default for SourceRule {
    fn default() -> Self {
        SourceRule {
            choice: SourceChoice::Auto,
            min_interactions: 1_000,
            min_users: 20,
        }
    }
}

/// Layer 2: how views, clicks and favorites combine into an object's trending score.
///
/// Each event adds `weight(kind) · 2^(−age / half_life)`, its age counted back from
/// [`now`](Self::now) (default: the newest event of the data, so that the same data
/// always gives the same scores). The sums are divided by the largest, so the top object
/// scores 1. Events of other kinds on celestial items (a Poppy CSV's strengths, likes)
/// count in `total_interactions` and weigh [`other_weight`](Self::other_weight).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer2Config {
    pub view_weight: f64,
    pub click_weight: f64,
    pub favorite_weight: f64,
    pub other_weight: f64,
    /// Days after which an event counts half; the simulator's events are 14 days old on
    /// average.
    pub half_life_days: f64,
    /// Reference time in Unix seconds; `None` for the newest event.
    pub now: Option<i64>,
}

impl Default for Layer2Config {
    fn default() -> Self {
        Layer2Config {
            view_weight: 1.0,
            click_weight: 3.0,
            favorite_weight: 5.0,
            other_weight: 1.0,
            half_life_days: 14.0,
            now: None,
        }
    }
}

impl Layer2Config {
    fn validate(&self) -> Result<(), Error> {
        for (field, w) in [
            ("layer2.view_weight", self.view_weight),
            ("layer2.click_weight", self.click_weight),
            ("layer2.favorite_weight", self.favorite_weight),
            ("layer2.other_weight", self.other_weight),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(Error::invalid(
                    field,
                    format!("must be a number >= 0, got {w}"),
                ));
            }
        }
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(Error::invalid(
                "layer2.half_life_days",
                format!("must be a number of days > 0, got {}", self.half_life_days),
            ));
        }
        Ok(())
    }
}

/// How the user × category matrix is scaled before it is factorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    /// The summed weights as they are.
    None,
    /// Each user's row divided by its largest cell, so heavy and light users weigh alike.
    #[default]
    UserMax,
}

impl FromStr for Normalization {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "none" => Ok(Normalization::None),
            "user-max" => Ok(Normalization::UserMax),
            other => Err(Error::invalid(
                "layer3.normalize",
                format!("expected none or user-max, found {other:?}"),
            )),
        }
    }
}

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Normalization::None => "none",
            Normalization::UserMax => "user-max",
        })
    }
}

/// Which Orrery model factorizes the layer 3 matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Factorization {
    /// Biased matrix factorization (`mf`) fitted on every cell it is given, zeros
    /// included, so that a held-out cell is truly unseen.
    #[default]
    Mf,
    /// Non-negative matrix factorization (`nmf`) of the whole matrix, every cell not
    /// given counting as zero (scikit-learn's NMF on the zero-filled matrix).
    Nmf,
}

impl FromStr for Factorization {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mf" => Ok(Factorization::Mf),
            "nmf" => Ok(Factorization::Nmf),
            other => Err(Error::invalid(
                "layer3.model",
                format!("expected mf or nmf, found {other:?}"),
            )),
        }
    }
}

impl fmt::Display for Factorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Factorization::Mf => "mf",
            Factorization::Nmf => "nmf",
        })
    }
}

/// Layer 3: the user × category matrix and its factorization.
///
/// A cell sums the weights of the user's events on the category's items (a strength its
/// value, view 1, click 2, favorite 5: [`weights`](Self::weights)), zero when there are
/// none, then [`normalize`](Self::normalize) scales it.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer3Config {
    pub weights: EventWeights,
    pub normalize: Normalization,
    /// The Orrery model that factorizes the matrix.
    pub model: Factorization,
    /// Latent factors.
    pub factors: usize,
    /// Training epochs.
    pub epochs: usize,
    /// L2 regularization of the factors (and of MF's biases).
    pub reg: f32,
    /// Share of the non-zero cells held out to measure the reconstruction error.
    pub holdout: f64,
    /// Seed of the held-out draw and of the NMF initialization.
    pub seed: u64,
}

impl Default for Layer3Config {
    fn default() -> Self {
        Layer3Config {
            weights: EventWeights::default(),
            normalize: Normalization::UserMax,
            model: Factorization::Mf,
            factors: 4,
            epochs: 200,
            reg: 0.02,
            holdout: 0.1,
            seed: 42,
        }
    }
}

impl Layer3Config {
    fn validate(&self) -> Result<(), Error> {
        if !(1..=64).contains(&self.factors) {
            return Err(Error::invalid(
                "layer3.factors",
                format!("must be between 1 and 64, got {}", self.factors),
            ));
        }
        if !(1..=100_000).contains(&self.epochs) {
            return Err(Error::invalid(
                "layer3.epochs",
                format!("must be between 1 and 100000, got {}", self.epochs),
            ));
        }
        if !(self.reg.is_finite() && self.reg >= 0.0) {
            return Err(Error::invalid(
                "layer3.reg",
                format!("must be a number >= 0, got {}", self.reg),
            ));
        }
        if !(0.0..=0.5).contains(&self.holdout) {
            return Err(Error::invalid(
                "layer3.holdout",
                format!(
                    "is the share of cells held out and must be between 0 and 0.5, got {}",
                    self.holdout
                ),
            ));
        }
        Ok(())
    }
}

/// Layer 4: the tanh network's settings beyond its model defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer4Config {
    /// Share of the non-zero cells held out to measure the RMSE.
    pub holdout: f64,
    /// Seed of the held-out draw and of the network's initialization.
    pub seed: u64,
}

impl Default for Layer4Config {
    fn default() -> Self {
        Layer4Config {
            holdout: 0.1,
            seed: 42,
        }
    }
}

impl Layer4Config {
    fn validate(&self) -> Result<(), Error> {
        if !(0.0..=0.5).contains(&self.holdout) {
            return Err(Error::invalid(
                "layer4.holdout",
                format!(
                    "is the share of cells held out and must be between 0 and 0.5, got {}",
                    self.holdout
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_go_beside_the_sqlite_database_unless_a_folder_is_given() {
        let beside = out_dir(None, "sqlite:///srv/orrery/data/orrery.db").ok();
        assert_eq!(beside, Some(PathBuf::from("/srv/orrery/data/output")));

        let cwd = std::env::current_dir().ok();
        assert!(cwd.is_some());
        let cwd = cwd.unwrap_or_default();
        let default = out_dir(None, Store::DEFAULT_URL).ok();
        assert_eq!(default, Some(cwd.join("orrery-data/output")));
        let postgres = out_dir(None, "postgres://postgres@127.0.0.1:5432/test").ok();
        assert_eq!(postgres, Some(cwd.join(DEFAULT_OUT_DIR)));

        let given = out_dir(Some(Path::new("layers")), "sqlite:///srv/o.db").ok();
        assert_eq!(given, Some(cwd.join("layers")));
        let absolute = out_dir(Some(Path::new("/tmp/layers")), "sqlite:///srv/o.db").ok();
        assert_eq!(absolute, Some(PathBuf::from("/tmp/layers")));
    }
}
