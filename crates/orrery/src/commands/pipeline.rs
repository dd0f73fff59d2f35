//! `orrery pipeline run --layer 2|3|4`: one layer of the Poppy Universe pipeline, its CSV
//! written atomically into the output folder and its report printed as JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use orrery_core::EventWeights;
use orrery_pipeline::{
    Layer, Layer2Config, Layer3Config, Normalization, PipelineConfig, SourceChoice, SourceRule,
};

use crate::config::Config;

/// Run the Poppy Universe pipeline's layers (object liking scores, category matrix
/// factorization, the tanh network) into CSV files for the engine.
#[derive(Debug, clap::Args)]
pub struct PipelineArgs {
    #[command(subcommand)]
    pub command: PipelineCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PipelineCommand {
    /// Run one layer and print its report (data source and why, rows, file, duration,
    /// quality figures) as JSON.
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The layer: 2 (object liking scores), 3 (category matrix factorization) or 4 (the
    /// tanh network).
    #[arg(long)]
    pub layer: String,

    /// Folder of the CSV outputs [default: `output` beside the SQLite database file, or
    /// ./orrery-data/output with PostgreSQL].
    #[arg(long, env = "ORRERY_PIPELINE_OUT")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub source: SourceArgs,

    #[command(flatten)]
    pub layers: LayerArgs,
}

/// The data source rule, shared with `orrery serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Which data: `auto` (the store when it holds enough celestial interactions, else a
    /// fresh simulation), `store` (an error when it does not) or `simulated`.
    #[arg(long, env = "ORRERY_PIPELINE_SOURCE", default_value = "auto")]
    pub source: String,

    /// Interactions on celestial items the store needs for `auto` to use it.
    #[arg(long, env = "ORRERY_PIPELINE_MIN_INTERACTIONS", default_value_t = SourceRule::default().min_interactions)]
    pub min_interactions: u64,

    /// Distinct users with celestial interactions the store needs for `auto` to use it.
    #[arg(long, env = "ORRERY_PIPELINE_MIN_USERS", default_value_t = SourceRule::default().min_users)]
    pub min_users: u64,

    /// Seed of the simulation when one is used (default: a fresh seed per run, named in
    /// the report).
    #[arg(long, env = "ORRERY_PIPELINE_SEED")]
    pub seed: Option<u64>,
}

/// Settings of layers 2 and 3.
#[derive(Debug, Clone, clap::Args)]
pub struct LayerArgs {
    /// Layer 2: days after which an event counts half.
    #[arg(long, env = "ORRERY_PIPELINE_HALF_LIFE_DAYS", default_value_t = Layer2Config::default().half_life_days)]
    pub half_life_days: f64,
    /// Layer 2: weight of a view.
    #[arg(long, default_value_t = Layer2Config::default().view_weight)]
    pub view_weight: f64,
    /// Layer 2: weight of a click.
    #[arg(long, default_value_t = Layer2Config::default().click_weight)]
    pub click_weight: f64,
    /// Layer 2: weight of a favorite.
    #[arg(long, default_value_t = Layer2Config::default().favorite_weight)]
    pub favorite_weight: f64,
    /// Layer 2: weight of any other event on a celestial item (a strength, a like).
    #[arg(long, default_value_t = Layer2Config::default().other_weight)]
    pub other_weight: f64,
    /// Layer 3: how the user × category matrix is scaled, `user-max` or `none`.
    #[arg(long, default_value_t = Normalization::default().to_string())]
    pub normalize: String,
    /// Layer 3: the factorization, `mf` (fitted on every cell, zeros included) or `nmf`
    /// (absent cells read as zero).
    #[arg(long, default_value_t = Layer3Config::default().model.to_string())]
    pub model: String,
    /// Layer 3: latent factors.
    #[arg(long, default_value_t = Layer3Config::default().factors)]
    pub factors: usize,
    /// Layer 3: training epochs.
    #[arg(long, default_value_t = Layer3Config::default().epochs)]
    pub epochs: usize,
    /// Layers 3 and 4: share of the non-zero cells held out to measure the error.
    #[arg(long, default_value_t = Layer3Config::default().holdout)]
    pub holdout: f64,
}

impl SourceArgs {
    /// The rule these flags describe.
    pub fn rule(&self) -> Result<SourceRule> {
        Ok(SourceRule {
            choice: self.source.parse::<SourceChoice>()?,
            min_interactions: self.min_interactions,
            min_users: self.min_users,
        })
    }
}

impl LayerArgs {
    /// Applies these flags (and the configured event weights, for layer 3's cells) to
    /// `config`.
    pub fn apply(&self, config: &mut PipelineConfig, weights: &EventWeights) -> Result<()> {
        config.layer2 = Layer2Config {
            view_weight: self.view_weight,
            click_weight: self.click_weight,
            favorite_weight: self.favorite_weight,
            other_weight: self.other_weight,
            half_life_days: self.half_life_days,
            now: None,
        };
        config.layer3 = Layer3Config {
            weights: weights.clone(),
            normalize: self.normalize.parse()?,
            model: self.model.parse()?,
            factors: self.factors,
            epochs: self.epochs,
            holdout: self.holdout,
            ..Layer3Config::default()
        };
        config.layer4.holdout = self.holdout;
        Ok(())
    }
}

impl RunArgs {
    fn pipeline_config(&self, config: &Config) -> Result<PipelineConfig> {
        let mut pipeline = PipelineConfig {
            out_dir: orrery_pipeline::out_dir(self.out.as_deref(), &config.database_url)?,
            source: self.source.rule()?,
            seed: self.source.seed,
            ..PipelineConfig::default()
        };
        self.layers.apply(&mut pipeline, &config.weights)?;
        pipeline.validate()?;
        Ok(pipeline)
    }
}

pub async fn run(args: PipelineArgs, config: &Config) -> Result<()> {
    match args.command {
        PipelineCommand::Run(args) => run_layer(args, config).await,
    }
}

async fn run_layer(args: RunArgs, config: &Config) -> Result<()> {
    let layer: Layer = args.layer.parse().context("--layer")?;
    let pipeline = args.pipeline_config(config)?;
    let store = config.open_store().await?;
    let report = orrery_pipeline::run(&store, layer, &pipeline).await;
    store.close().await;
    let report = report.with_context(|| format!("running layer {layer}"))?;
    eprintln!(
        "layer {layer}: {} rows from {} data ({}) written to {}",
        report.rows,
        serde_json::to_value(report.data_source.kind)?
            .as_str()
            .unwrap_or("?"),
        report.data_source.reason,
        report.output_file
    );
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// The pipeline settings of `orrery serve` (for `POST /run-layer/{n}`); the same
/// environment variables as `orrery pipeline run`, layer settings at their defaults.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Pipeline (POST /run-layer/N)")]
pub struct ServePipelineArgs {
    /// Folder of the CSV outputs [default: `output` beside the SQLite database file, or
    /// ./orrery-data/output with PostgreSQL].
    #[arg(long, env = "ORRERY_PIPELINE_OUT")]
    pub pipeline_out: Option<PathBuf>,

    /// Which data: `auto`, `store` or `simulated` (see `orrery pipeline run --help`)
    /// [default: auto].
    #[arg(long, env = "ORRERY_PIPELINE_SOURCE")]
    pub pipeline_source: Option<String>,

    /// Interactions on celestial items the store needs for `auto` to use it [default: 1000].
    #[arg(long, env = "ORRERY_PIPELINE_MIN_INTERACTIONS")]
    pub pipeline_min_interactions: Option<u64>,

    /// Distinct users with celestial interactions the store needs for `auto` to use it
    /// [default: 20].
    #[arg(long, env = "ORRERY_PIPELINE_MIN_USERS")]
    pub pipeline_min_users: Option<u64>,

    /// Seed of the simulations (default: a fresh seed per run).
    #[arg(long, env = "ORRERY_PIPELINE_SEED")]
    pub pipeline_seed: Option<u64>,
}

impl ServePipelineArgs {
    /// The pipeline configuration these flags describe, completed by the `[serve]` table of
    /// orrery.toml, layer 3's cells weighted by the configured event weights, the files
    /// beside the database of `database_url` unless a folder is given.
    pub fn config(
        &self,
        file: &super::serve::ServeFile,
        weights: &EventWeights,
        database_url: &str,
    ) -> Result<PipelineConfig> {
        let defaults = SourceRule::default();
        let source = self
            .pipeline_source
            .clone()
            .or_else(|| file.pipeline_source.clone());
        let mut pipeline = PipelineConfig {
            out_dir: orrery_pipeline::out_dir(
                self.pipeline_out
                    .as_deref()
                    .or(file.pipeline_out.as_deref()),
                database_url,
            )?,
            source: SourceRule {
                choice: match source {
                    Some(source) => source.parse().context("pipeline source")?,
                    None => defaults.choice,
                },
                min_interactions: self
                    .pipeline_min_interactions
                    .or(file.pipeline_min_interactions)
                    .unwrap_or(defaults.min_interactions),
                min_users: self
                    .pipeline_min_users
                    .or(file.pipeline_min_users)
                    .unwrap_or(defaults.min_users),
            },
            seed: self.pipeline_seed.or(file.pipeline_seed),
            ..PipelineConfig::default()
        };
        pipeline.layer3.weights = weights.clone();
        pipeline.validate()?;
        Ok(pipeline)
    }
}
