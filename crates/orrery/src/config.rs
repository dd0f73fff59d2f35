//! Configuration shared by every subcommand.
//!
//! Precedence, highest first: command-line flags, `ORRERY_*` environment variables (and
//! `DATABASE_URL`, the name most tools use), the `orrery.toml` file, built-in defaults.
//! The file holds `database_url`, a `[weights]` table, and the `[serve]` and `[train]`
//! tables that `orrery serve` and `orrery train` resolve against their own flags; a key
//! the file does not know is an error naming it (`orrery.example.toml` lists them all).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use orrery_core::{EventKind, EventWeights, WeightRule};
use orrery_store::Store;
use serde::Deserialize;

use crate::commands::serve::ServeFile;
use crate::commands::train::TrainFile;
use orrery_engine::flow::FlowSettings;
use orrery_engine::impressions::ImpressionSettings;

/// Flags every subcommand accepts.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Database to use: `sqlite://PATH` (the default is the embedded file
    /// ./orrery-data/orrery.db) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, global = true, env = "ORRERY_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Configuration file; `./orrery.toml` is read when it exists.
    #[arg(long, global = true, env = "ORRERY_CONFIG")]
    pub config: Option<PathBuf>,

    /// Event weights for implicit models, e.g. `like=4,click=2,play=log1p`
    /// (a number, `value` or `log1p` per kind).
    #[arg(long, global = true, env = "ORRERY_WEIGHTS")]
    pub weights: Option<String>,
}

/// The contents of `orrery.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    /// Kind name → weight rule (`5`, `"value"`, `"log1p"`).
    #[serde(default)]
    weights: BTreeMap<String, toml::Value>,
    #[serde(default)]
    serve: ServeFile,
    #[serde(default)]
    train: TrainFile,
    /// How many candidates each source of the recommendation flow proposes.
    #[serde(default)]
    flow: FlowSettings,
    /// What is recorded of served lists and how outcomes count.
    #[serde(default)]
    impressions: ImpressionSettings,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub weights: EventWeights,
    /// The `[serve]` table of the file.
    pub serve: ServeFile,
    /// The `[train]` table of the file.
    pub train: TrainFile,
    /// The `[flow]` table of the file.
    pub flow: FlowSettings,
    /// The `[impressions]` table of the file.
    pub impressions: ImpressionSettings,
}

impl Config {
    /// Resolves the configuration from flags, environment, file and defaults.
    pub fn resolve(args: &GlobalArgs) -> Result<Config> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None if Path::new("orrery.toml").exists() => read_file(Path::new("orrery.toml"))?,
            None => FileConfig::default(),
        };
        let env_database_url = std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty());
        Config::from_sources(args, env_database_url, file)
    }

    /// The configuration from the flags (with clap's `ORRERY_*` variables), `DATABASE_URL`
    /// and the file's contents.
    fn from_sources(
        args: &GlobalArgs,
        env_database_url: Option<String>,
        file: FileConfig,
    ) -> Result<Config> {
        let database_url = args
            .database_url
            .clone()
            .or(env_database_url)
            .or(file.database_url)
            .unwrap_or_else(|| Store::DEFAULT_URL.to_owned());

        let mut weights = EventWeights::default();
        for (kind, rule) in &file.weights {
            let kind: EventKind = kind.parse().context("orrery.toml [weights]")?;
            let rule: WeightRule = match rule {
                toml::Value::Integer(i) => WeightRule::Fixed(*i as f32),
                toml::Value::Float(f) => WeightRule::Fixed(*f as f32),
                toml::Value::String(s) => s.parse().context("orrery.toml [weights]")?,
                other => anyhow::bail!(
                    "orrery.toml [weights] {kind}: expected a number, \"value\" or \"log1p\", found {other}"
                ),
            };
            weights.set(&kind, rule);
        }
        if let Some(spec) = &args.weights {
            weights.apply_overrides(spec).context("--weights")?;
        }
        if let Err((field, reason)) = file.flow.check() {
            anyhow::bail!("orrery.toml {field}: {reason}");
        }
        if let Err((field, reason)) = file.impressions.check() {
            anyhow::bail!("orrery.toml {field}: {reason}");
        }
        Ok(Config {
            database_url,
            weights,
            serve: file.serve,
            train: file.train,
            flow: file.flow,
            impressions: file.impressions,
        })
    }

    /// The history length at which a list gives the model half its weight (`[serve]
    /// cold_start_threshold`), for evaluation as for serving.
    pub fn cold_start_threshold(&self) -> usize {
        self.serve
            .cold_start_threshold
            .unwrap_or(crate::commands::serve::DEFAULT_COLD_START_THRESHOLD)
    }

    /// What a training run passes to choose the flow's settings from its data, as the
    /// server's trainer does.
    pub fn flow_tuner(&self) -> std::sync::Arc<dyn orrery_train::FlowTuner> {
        std::sync::Arc::new(orrery_engine::tune::PriorTuner {
            settings: self.flow.clone(),
            cold_start_threshold: self.cold_start_threshold(),
        })
    }

    /// Opens the configured store, running its migrations.
    pub async fn open_store(&self) -> Result<Store> {
        Store::connect(&self.database_url)
            .await
            .with_context(|| format!("opening the database {}", redact(&self.database_url)))
    }
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_file(&text).with_context(|| format!("reading the configuration file {}", path.display()))
}

/// The file's contents; an unknown key is an error that names it and where it is.
fn parse_file(text: &str) -> Result<FileConfig> {
    toml::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{}\nsee orrery.example.toml for every key and what it sets",
            e.to_string().trim_end()
        )
    })
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(redact("sqlite://a.db"), "sqlite://a.db");
    }

    fn global(database_url: Option<&str>) -> GlobalArgs {
        GlobalArgs {
            database_url: database_url.map(str::to_owned),
            config: None,
            weights: None,
        }
    }

    #[test]
    fn the_database_url_comes_from_the_flag_then_the_environment_then_the_file() {
        let file = || parse_file("database_url = \"sqlite://file.db\"").unwrap();
        let env = || Some("sqlite://env.db".to_owned());
        let url = |args, env, file| Config::from_sources(&args, env, file).unwrap().database_url;
        assert_eq!(
            url(global(Some("sqlite://flag.db")), env(), file()),
            "sqlite://flag.db"
        );
        assert_eq!(url(global(None), env(), file()), "sqlite://env.db");
        assert_eq!(url(global(None), None, file()), "sqlite://file.db");
        assert_eq!(
            url(global(None), None, FileConfig::default()),
            Store::DEFAULT_URL
        );
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        for (text, key) in [
            ("bind = \"127.0.0.1:1\"", "bind"),
            ("[serve]\nbnid = \"127.0.0.1:1\"", "bnid"),
            ("[serve]\nredis = \"redis://x\"", "redis"),
            ("[train]\nafter = 3", "after"),
            ("[srve]\nbind = \"127.0.0.1:1\"", "srve"),
        ] {
            let error = parse_file(text).unwrap_err().to_string();
            assert!(error.contains(&format!("`{key}`")), "{text:?}: {error}");
            assert!(error.contains("orrery.example.toml"), "{error}");
        }
    }

    #[test]
    fn flow_shares_out_of_range_are_refused_by_name() {
        for (key, value) in [("cf_weight", "1.5"), ("popularity_prior", "-0.1")] {
            let file = parse_file(&format!("[flow]\n{key} = {value}")).unwrap();
            let error = Config::from_sources(&global(None), None, file)
                .unwrap_err()
                .to_string();
            assert!(error.contains(&format!("flow.{key}")), "{error}");
        }
        let file = parse_file("[flow]\npopularity_weight = 0.3").unwrap();
        let config = Config::from_sources(&global(None), None, file).unwrap();
        assert_eq!(config.flow.popularity_weight, 0.3);
    }

    #[test]
    fn the_example_file_is_valid_and_sets_nothing() {
        let example = include_str!("../../../orrery.example.toml");
        let parsed = parse_file(example).unwrap();
        assert!(parsed.database_url.is_none() && parsed.weights.is_empty());
        // Uncommented, every key it shows is one the file knows.
        let uncommented: String = example
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => {
                    rest.split(" #").next().unwrap_or(rest).to_owned()
                }
                _ => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let full = parse_file(&uncommented).unwrap();
        assert!(full.database_url.is_some());
        assert!(full.serve.redis_url.is_some() && full.serve.bind.is_some());
        assert!(full.train.after_events.is_some() && !full.train.params.is_empty());
    }
}
