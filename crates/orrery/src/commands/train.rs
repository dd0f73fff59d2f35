//! `orrery train`: fits a model on everything in the store and saves it as a new version
//! of the model registry, measured first on a validation split, as the server's
//! `POST /training/train` does. The options (but `--watch`, `--json` and `--param`'s
//! syntax) can also be set in the `[train]` table of `orrery.toml`.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use orrery_models::Params;
use orrery_store::RunEnd;
use orrery_train::{TrainError, TrainJob, TrainSettings};
use serde::Deserialize;
use serde_json::json;

use crate::config::Config;
use crate::progress::EpochBar;
use crate::sys::peak_rss_mb;

/// Train a model on the whole store and save it as a new version.
///
/// Every option but --watch and --json can also be set in the `[train]` table of
/// orrery.toml (flags win).
#[derive(Debug, Default, clap::Args)]
pub struct TrainArgs {
    /// Algorithm: popularity, trending, baseline, mf, svdpp, nmf, als, bpr, itemknn, ease,
    /// ncf, gmf, neumf, layer4, content, hybrid (or another system's name for one: svd,
    /// matrix_factorization, cf). Default: the best of als, ease and itemknn by NDCG@10 on
    /// a validation split; with --param but no --algo, mf when the store holds ratings, als
    /// otherwise.
    #[arg(long)]
    pub algo: Option<String>,
    /// Hyperparameters as KEY=VALUE (e.g. `--param factors=64 reg=0.01`).
    #[arg(long = "param", value_name = "KEY=VALUE", num_args = 1..)]
    pub params: Vec<String>,
    /// Seed of the validation split and of the fit [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Make the new version the served one (default: only when no version is active).
    #[arg(long, conflicts_with = "no_activate")]
    pub activate: bool,
    /// Never make the new version the served one.
    #[arg(long)]
    pub no_activate: bool,
    /// Share of the interactions held out to measure the model before the final fit
    /// (0 skips the measurement) [default: 0.1].
    #[arg(long)]
    pub validation_ratio: Option<f64>,
    /// Versions to keep afterwards (the active and pinned ones are always kept)
    /// [default: 5].
    #[arg(long)]
    pub keep: Option<usize>,
    /// Print one JSON object per trained version (and no progress bar).
    #[arg(long)]
    pub json: bool,
    /// Keep running: train again whenever `--after-events` new interactions arrived, or
    /// on the `--every` schedule when any did; new versions become active unless
    /// `--no-activate`. Servers on the same database switch to them at once.
    #[arg(long)]
    pub watch: bool,
    /// With --watch: new interactions that trigger a training [default: 1000].
    #[arg(long, requires = "watch")]
    pub after_events: Option<u64>,
    /// With --watch: seconds after which any new interaction triggers a training.
    #[arg(long, requires = "watch")]
    pub every: Option<u64>,
    /// With --watch: seconds between two looks at the store [default: 5].
    #[arg(long, requires = "watch")]
    pub poll: Option<u64>,
}

/// The `[train]` table of `orrery.toml`: the options named as the flags with underscores,
/// `params` a table (`params = { factors = 64, reg = 0.01 }`) and `activate` true (as
/// `--activate`) or false (as `--no-activate`). `after_events`, `every` and `poll` apply
/// to `--watch`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainFile {
    pub algo: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    pub seed: Option<u64>,
    pub validation_ratio: Option<f64>,
    pub keep: Option<usize>,
    pub activate: Option<bool>,
    pub after_events: Option<u64>,
    pub every: Option<u64>,
    pub poll: Option<u64>,
}

/// What one `orrery train` does, from the flags, then the `[train]` table, then defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainPlan {
    pub algo: Option<String>,
    /// KEY=VALUE pairs, the file's first, so that a flag for the same key wins.
    pub params: Vec<(String, String)>,
    pub seed: u64,
    pub activate: Option<bool>,
    pub validation_ratio: f64,
    pub keep: usize,
    pub json: bool,
    /// Set with `--watch`.
    pub watch: Option<WatchPlan>,
}

/// When `orrery train --watch` trains again.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchPlan {
    pub after_events: u64,
    pub every: Option<u64>,
    pub poll: u64,
}

impl TrainPlan {
    /// Resolves `args` over `file` and the defaults.
    pub fn resolve(args: TrainArgs, file: &TrainFile) -> Result<TrainPlan> {
        let mut params = Vec::new();
        for (key, value) in &file.params {
            let value = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => anyhow::bail!(
                    "orrery.toml [train.params] {key}: expected a number, a string or a boolean, found {other}"
                ),
            };
            params.push((key.clone(), value));
        }
        for pair in &args.params {
            let (key, value) = pair
                .split_once('=')
                .with_context(|| format!("--param {pair:?}: expected KEY=VALUE"))?;
            params.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        let activate = if args.activate {
            Some(true)
        } else if args.no_activate {
            Some(false)
        } else {
            file.activate
        };
        let watch = args.watch.then(|| WatchPlan {
            after_events: args.after_events.or(file.after_events).unwrap_or(1000),
            every: args.every.or(file.every),
            poll: args.poll.or(file.poll).unwrap_or(5),
        });
        let plan = TrainPlan {
            algo: args.algo.or_else(|| file.algo.clone()),
            params,
            seed: args.seed.or(file.seed).unwrap_or(42),
            // A watcher's versions are served unless told otherwise.
            activate: if watch.is_some() {
                Some(activate.unwrap_or(true))
            } else {
                activate
            },
            validation_ratio: args
                .validation_ratio
                .or(file.validation_ratio)
                .unwrap_or(0.1),
            keep: args.keep.or(file.keep).unwrap_or(5),
            json: args.json,
            watch,
        };
        anyhow::ensure!(
            (0.0..1.0).contains(&plan.validation_ratio),
            "validation ratio {}: expected a share in [0, 1)",
            plan.validation_ratio
        );
        Ok(plan)
    }
}

pub async fn run(args: TrainArgs, config: &Config) -> Result<()> {
    let plan = TrainPlan::resolve(args, &config.train)?;
    let store = config.open_store().await?;
    let job = match &plan.algo {
        // Nothing named: the ranking model that validates best.
        None if plan.params.is_empty() => TrainJob::best_ranking(plan.seed, plan.activate),
        name => {
            let algorithm = match name {
                Some(name) => orrery_train::parse_algorithm(name)?,
                None => orrery_train::default_algorithm(store.stats().await?.mean_rating.is_some()),
            };
            let mut params = Params::defaults(algorithm).with_seed(plan.seed);
            for (key, value) in &plan.params {
                params.set(key, value)?;
            }
            params.validate()?;
            TrainJob::new(params, plan.activate)
        }
    };
    let settings = TrainSettings {
        weights: config.weights.clone(),
        flow_tuner: Some(config.flow_tuner()),
        validation_ratio: plan.validation_ratio,
        keep_versions: plan.keep,
        ..TrainSettings::default()
    };
    if let Some(watching) = &plan.watch {
        let watched = watch(&store, &job, &settings, watching, plan.json).await;
        store.close().await;
        return watched;
    }
    let outcome = train_once(&store, &job, &settings, plan.json).await;
    store.close().await;
    outcome
}

/// Trains again after enough new interactions (or on the schedule) until interrupted.
async fn watch(
    store: &orrery_store::Store,
    job: &TrainJob,
    settings: &TrainSettings,
    args: &WatchPlan,
    json: bool,
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
        // A failed run is reported and retried at the next trigger, not fatal; Ctrl-C
        // during a run ends the watch.
        match train_once(store, job, settings, json).await {
            Ok(()) => {}
            Err(e) if job.cancel.is_cancelled() => return Err(e),
            Err(e) => eprintln!("training failed: {e:#}"),
        }
        trained_up_to = now;
        last_training = std::time::Instant::now();
    }
}

/// How long Ctrl-C waits for the fit to reach the end of an epoch or a phase.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Records a run that did not stop in time as cancelled and gives up on it: its fit ends
/// with the process.
async fn abandon(store: &orrery_store::Store, run_id: i64) -> Result<()> {
    let reason = "interrupted (Ctrl-C) before the fit reached a point to stop";
    store
        .finish_training_run(run_id, RunEnd::Cancelled(reason), orrery_train::unix_now())
        .await?;
    Err(TrainError::Cancelled {
        reason: reason.to_owned(),
    }
    .into())
}

/// One training run, reported on stdout; Ctrl-C cancels it (recorded as cancelled, nothing
/// stored).
pub(crate) async fn train_once(
    store: &orrery_store::Store,
    job: &TrainJob,
    settings: &TrainSettings,
    json: bool,
) -> Result<()> {
    let bar = EpochBar::new(job.algorithm_name().to_owned(), !json);
    let run = orrery_train::begin(store, job).await?;
    let execution = run.execute(store, job, settings, bar);
    tokio::pin!(execution);
    let trained = tokio::select! {
        outcome = &mut execution => outcome?,
        _ = tokio::signal::ctrl_c() => {
            job.cancel.cancel("interrupted (Ctrl-C)");
            eprintln!(
                "\nstopping after the epoch under way (up to {} s; Ctrl-C again stops at once)",
                STOP_GRACE.as_secs()
            );
            tokio::select! {
                outcome = &mut execution => outcome?,
                _ = tokio::time::sleep(STOP_GRACE) => return abandon(store, run.run_id).await,
                _ = tokio::signal::ctrl_c() => return abandon(store, run.run_id).await,
            }
        }
    };
    let algorithm = &trained.info.algorithm;
    if json {
        let out = json!({
            "run_id": trained.run_id,
            "version": trained.version,
            "algorithm": algorithm,
            "chosen": trained.choice,
            "flow": trained.tuned.as_ref().map(|t| &t.description),
            "params": trained.info.params,
            "activated": trained.activated,
            "metrics": trained.metrics,
            "pruned": trained.pruned,
            "n_users": trained.info.n_users,
            "n_items": trained.info.n_items,
            "n_interactions": trained.info.n_interactions,
            "size_bytes": trained.info.size_bytes,
            "train_seconds": trained.train_seconds,
            "peak_rss_mb": peak_rss_mb(),
            "rating_model": trained.rating.as_ref().map(|r| json!({
                "version": r.info.version,
                "algorithm": r.info.algorithm,
                "activated": r.activated,
                "metrics": r.metrics,
            })),
        });
        println!("{out}");
    } else {
        if let Some(choice) = &trained.choice {
            println!("chose {}", choice.describe());
        }
        if let Some(tuned) = &trained.tuned {
            println!("lists blend with {}", tuned.description);
        }
        print_version(
            format!(
                "version {} ({}, {} users × {} items, {} interactions) trained in {:.1} s",
                trained.version,
                algorithm,
                trained.info.n_users,
                trained.info.n_items,
                trained.info.n_interactions,
                trained.train_seconds,
            ),
            trained.activated.then_some(trained.info.purpose),
            &trained.metrics,
        );
        if let Some(rating) = &trained.rating {
            print_version(
                format!(
                    "version {} ({}, the rating model beside it)",
                    rating.info.version, rating.info.algorithm
                ),
                rating.activated.then_some(rating.info.purpose),
                &rating.metrics,
            );
        }
        if !trained.pruned.is_empty() {
            println!("  pruned versions {:?}", trained.pruned);
        }
    }
    Ok(())
}

/// One stored version as the answer shows it: `headline`, what it now serves when it was
/// activated (`active_for`, its purpose), and its validation metrics.
fn print_version(
    headline: String,
    active_for: Option<orrery_store::ModelPurpose>,
    metrics: &orrery_store::MetricMap,
) {
    let serves = match active_for {
        Some(orrery_store::ModelPurpose::Ranking) => "; now active for lists",
        Some(orrery_store::ModelPurpose::Rating) => "; now active for predicted ratings",
        None => "",
    };
    println!("{headline}{serves}");
    for (name, value) in metrics {
        println!("  {name:<14} {value:.4}");
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// `orrery train`'s flags alone, as clap reads them.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        train: TrainArgs,
    }

    fn flags(args: &[&str]) -> TrainArgs {
        Cli::try_parse_from(std::iter::once("train").chain(args.iter().copied()))
            .unwrap()
            .train
    }

    #[test]
    fn the_help_names_every_algorithm() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        let words: std::collections::BTreeSet<&str> = help
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .collect();
        for algorithm in orrery_models::Algorithm::ALL {
            assert!(
                words.contains(algorithm.name()),
                "`orrery train --help` does not name {}",
                algorithm.name()
            );
        }
    }

    fn table(text: &str) -> TrainFile {
        toml::from_str(text).unwrap()
    }

    const FILE: &str = r#"
        algo = "als"
        seed = 7
        validation_ratio = 0.2
        keep = 3
        activate = false
        after_events = 50
        every = 600
        poll = 2
        [params]
        factors = 16
        reg = 0.05
    "#;

    #[test]
    fn without_flags_or_file_the_defaults_hold() {
        let plan = TrainPlan::resolve(TrainArgs::default(), &TrainFile::default()).unwrap();
        assert_eq!(plan.algo, None);
        assert_eq!((plan.seed, plan.keep, plan.validation_ratio), (42, 5, 0.1));
        assert_eq!(plan.activate, None);
        assert_eq!(plan.watch, None);
        let watching = TrainPlan::resolve(flags(&["--watch"]), &TrainFile::default()).unwrap();
        assert_eq!(
            watching.watch,
            Some(WatchPlan {
                after_events: 1000,
                every: None,
                poll: 5
            })
        );
        assert_eq!(
            watching.activate,
            Some(true),
            "a watcher serves its versions"
        );
    }

    #[test]
    fn the_file_sets_the_watch_and_flags_win_over_it() {
        let file = table(FILE);
        let plan = TrainPlan::resolve(flags(&["--watch"]), &file).unwrap();
        assert_eq!(plan.algo.as_deref(), Some("als"));
        assert_eq!((plan.seed, plan.keep, plan.validation_ratio), (7, 3, 0.2));
        assert_eq!(
            plan.activate,
            Some(false),
            "activate = false is --no-activate"
        );
        assert_eq!(
            plan.watch,
            Some(WatchPlan {
                after_events: 50,
                every: Some(600),
                poll: 2
            })
        );
        assert_eq!(
            plan.params,
            [
                ("factors".to_owned(), "16".to_owned()),
                ("reg".to_owned(), "0.05".to_owned())
            ]
        );

        let plan = TrainPlan::resolve(
            flags(&[
                "--watch",
                "--after-events",
                "5",
                "--activate",
                "--seed",
                "1",
                "--param",
                "factors=8",
            ]),
            &file,
        )
        .unwrap();
        assert_eq!(plan.watch.as_ref().map(|w| w.after_events), Some(5));
        assert_eq!(plan.watch.as_ref().map(|w| w.poll), Some(2));
        assert_eq!(plan.activate, Some(true));
        assert_eq!(plan.seed, 1);
        // The flag's value comes last, so it is the one set.
        assert_eq!(
            plan.params.last(),
            Some(&("factors".to_owned(), "8".to_owned()))
        );
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        let error =
            TrainPlan::resolve(TrainArgs::default(), &table("validation_ratio = 1.5")).unwrap_err();
        assert!(error.to_string().contains("validation ratio"), "{error}");
        let error = TrainPlan::resolve(TrainArgs::default(), &table("[params]\nfactors = [1]"))
            .unwrap_err();
        assert!(error.to_string().contains("factors"), "{error}");
    }
}
