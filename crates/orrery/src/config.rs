//! Configuration shared by every subcommand.
//!
//! Precedence, highest first: command-line flags, `ORRERY_*` environment variables (and
//! `DATABASE_URL`, the name most tools use), the `orrery.toml` file, built-in defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use orrery_core::{EventKind, EventWeights, WeightRule};
use orrery_store::Store;
use serde::Deserialize;

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
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub weights: EventWeights,
}

impl Config {
    /// Resolves the configuration from flags, environment, file and defaults.
    pub fn resolve(args: &GlobalArgs) -> Result<Config> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None if Path::new("orrery.toml").exists() => read_file(Path::new("orrery.toml"))?,
            None => FileConfig::default(),
        };
        let database_url = args
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()))
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
        Ok(Config {
            database_url,
            weights,
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
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
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
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(redact("sqlite://a.db"), "sqlite://a.db");
    }
}
