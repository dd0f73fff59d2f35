//! `orrery train`: fits a model on everything in the store and saves it as a new version
//! of the model registry, measured first on a validation split, as the server's
//! `POST /training/train` does.

use anyhow::{Context, Result};
use orrery_models::Params;
use orrery_train::{TrainJob, TrainSettings};
use serde_json::json;

use crate::config::Config;
use crate::progress::EpochBar;
use crate::sys::peak_rss_mb;

/// Train a model on the whole store and save it as a new version.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Algorithm: popularity, trending, baseline, mf, svdpp, nmf, als, bpr, itemknn, ease
    /// (or a seed's name: svd, matrix_factorization, cf). Default: mf when the store holds
    /// ratings, als otherwise.
    #[arg(long)]
    pub algo: Option<String>,
    /// Hyperparameters as KEY=VALUE (e.g. `--param factors=64 reg=0.01`).
    #[arg(long = "param", value_name = "KEY=VALUE", num_args = 1..)]
    pub params: Vec<String>,
    /// Seed of the validation split and of the fit.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Make the new version the served one (default: only when no version is active).
    #[arg(long, conflicts_with = "no_activate")]
    pub activate: bool,
    /// Never make the new version the served one.
    #[arg(long)]
    pub no_activate: bool,
    /// Share of the interactions held out to measure the model before the final fit
    /// (0 skips the measurement).
    #[arg(long, default_value_t = 0.1)]
    pub validation_ratio: f64,
    /// Versions to keep afterwards (the active and pinned ones are always kept).
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
    /// Print one JSON object per trained version (and no progress bar).
    #[arg(long)]
    pub json: bool,
    /// Keep running: train again whenever `--after-events` new interactions arrived, or
    /// on the `--every` schedule when any did; new versions become active unless
    /// `--no-activate`. Servers on the same database switch to them at once.
    #[arg(long)]
    pub watch: bool,
    /// With --watch: new interactions that trigger a training.
    #[arg(long, default_value_t = 1000, requires = "watch")]
    pub after_events: u64,
    /// With --watch: seconds after which any new interaction triggers a training.
    #[arg(long, requires = "watch")]
    pub every: Option<u64>,
    /// With --watch: seconds between two looks at the store.
    #[arg(long, default_value_t = 5, requires = "watch")]
    pub poll: u64,
}

pub async fn run(args: TrainArgs, config: &Config) -> Result<()> {
    anyhow::ensure!(
        (0.0..1.0).contains(&args.validation_ratio),
        "--validation-ratio {}: expected a share in [0, 1)",
        args.validation_ratio
    );
    let store = config.open_store().await?;
    let algorithm = match &args.algo {
        Some(name) => orrery_train::parse_algorithm(name)?,
        None => orrery_train::default_algorithm(store.stats().await?.mean_rating.is_some()),
    };
    let mut params = Params::defaults(algorithm).with_seed(args.seed);
    for pair in &args.params {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("--param {pair:?}: expected KEY=VALUE"))?;
        params.set(key.trim(), value.trim())?;
    }
    params.validate()?;
    let job = TrainJob {
        params,
        activate: if args.activate || (args.watch && !args.no_activate) {
            Some(true)
        } else if args.no_activate {
            Some(false)
        } else {
            None
        },
    };
    let settings = TrainSettings {
        weights: config.weights.clone(),
        validation_ratio: args.validation_ratio,
        keep_versions: args.keep,
    };
    if args.watch {
        let watched = watch(&store, &job, &settings, &args).await;
        store.close().await;
        return watched;
    }
    let outcome = train_once(&store, &job, &settings, &args).await;
    store.close().await;
    outcome
}

/// Trains again after enough new interactions (or on the schedule) until interrupted.
async fn watch(
    store: &orrery_store::Store,
    job: &TrainJob,
    settings: &TrainSettings,
    args: &TrainArgs,
) -> Result<()> {
    let poll = std::time::Duration::from_secs(args.poll.max(1));
    let mut trained_up_to = store.interaction_watermark().await?;
    let mut last_training = std::time::Instant::now();
    eprintln!(
        "watching for new interactions: training after {} of them{}",
        args.after_events,
        args.every
            .map(|s| format!(", or every {s} s when any arrived"))
            .unwrap_or_default()
    );
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = tokio::time::sleep(poll) => {}
        }
        let now = store.interaction_watermark().await?;
        let new = (now - trained_up_to).max(0) as u64;
        let due = args
            .every
            .is_some_and(|s| last_training.elapsed().as_secs() >= s);
        if new == 0 || (new < args.after_events && !due) {
            continue;
        }
        // A failed run is reported and retried at the next trigger, not fatal.
        match train_once(store, job, settings, args).await {
            Ok(()) => {}
            Err(e) => eprintln!("training failed: {e:#}"),
        }
        trained_up_to = now;
        last_training = std::time::Instant::now();
    }
}

/// One training run, reported on stdout.
async fn train_once(
    store: &orrery_store::Store,
    job: &TrainJob,
    settings: &TrainSettings,
    args: &TrainArgs,
) -> Result<()> {
    let algorithm = job.params.algorithm();
    let bar = EpochBar::new(algorithm.name().to_owned(), !args.json);
    let run = orrery_train::begin(store, job).await?;
    let trained = run.execute(store, job, settings, bar).await?;
    if args.json {
        let out = json!({
            "run_id": trained.run_id,
            "version": trained.version,
            "algorithm": algorithm.name(),
            "params": job.param_map(),
            "activated": trained.activated,
            "metrics": trained.metrics,
            "pruned": trained.pruned,
            "n_users": trained.info.n_users,
            "n_items": trained.info.n_items,
            "n_interactions": trained.info.n_interactions,
            "size_bytes": trained.info.size_bytes,
            "train_seconds": trained.train_seconds,
            "peak_rss_mb": peak_rss_mb(),
        });
        println!("{out}");
    } else {
        println!(
            "version {} ({}, {} users × {} items, {} interactions) trained in {:.1} s{}",
            trained.version,
            algorithm.name(),
            trained.info.n_users,
            trained.info.n_items,
            trained.info.n_interactions,
            trained.train_seconds,
            if trained.activated {
                "; now active"
            } else {
                ""
            }
        );
        for (name, value) in &trained.metrics {
            println!("  {name:<14} {value:.4}");
        }
        if !trained.pruned.is_empty() {
            println!("  pruned versions {:?}", trained.pruned);
        }
    }
    Ok(())
}
