//! One training run, from the store's snapshot to a stored (and maybe active) version.
//!
//! A run is recorded in the store's training runs before it starts ([`begin`]) and its end
//! is recorded whatever the outcome ([`TrainRun::execute`]), so that the history shows
//! failed runs too. Fitting happens on a blocking thread: the caller's async runtime stays
//! free to serve requests meanwhile.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use orrery_content::{EncoderOptions, SharedEncoder};
use orrery_core::{Dataset, EventWeights};
use orrery_eval::{EvalOptions, evaluate, split};
use orrery_models::{
    Algorithm, EpochReport, ItemVectors, Model, Params, Progress, ValidationReport,
};
use orrery_store::{
    MetricMap, ModelPurpose, ModelVersion, NewModelVersion, ParamMap, RunEnd, Store,
};

use crate::bundle::{Bundle, BundleError};
use crate::cancel::Cancel;
use crate::choose::{Choice, choose_ranking_algorithm};
use crate::tuning::{FlowTuner, Tuned};

/// Unix seconds now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Why a training run failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Reading the snapshot or writing the registry failed.
    #[error(transparent)]
    Store(#[from] orrery_store::Error),
    /// The fit failed (or the model would not serialize).
    #[error(transparent)]
    Model(#[from] orrery_models::Error),
    /// Measuring a fit failed.
    #[error(transparent)]
    Eval(#[from] orrery_eval::Error),
    /// The registry blob could not be written.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The store holds no interactions to learn from.
    #[error("the store holds no interactions to train on: import or post some first")]
    NoData,
    /// The version vanished between being saved and being activated (another process
    /// deleted it).
    #[error("model version {0} vanished right after it was saved")]
    Vanished(i64),
    /// The blocking fit task stopped abnormally.
    #[error("the training task stopped: {0}")]
    Task(String),
    /// The run was asked to stop ([`Cancel`]) and stored nothing.
    #[error("training was cancelled: {reason}")]
    Cancelled {
        /// Why it was asked to stop.
        reason: String,
    },
}

impl TrainError {
    /// A model's error, as a cancellation when the fit stopped because `cancel` asked it to.
    pub(crate) fn from_model(error: orrery_models::Error, cancel: &Cancel) -> TrainError {
        match error {
            orrery_models::Error::Cancelled { .. } => TrainError::Cancelled {
                reason: cancel.reason().unwrap_or_else(|| "cancelled".to_owned()),
            },
            other => TrainError::Model(other),
        }
    }
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Validated parameters (the algorithm and the seed are in them).
    pub params: Params,
    /// Activate the new version: `None` activates it only when no version is active.
    pub activate: Option<bool>,
    /// Train the ranking model that validates best instead of `params`' algorithm (see
    /// [`crate::choose_ranking_algorithm`]), and beside it a rating model when the data
    /// holds ratings; `params` then only gives the seed.
    pub choose: bool,
    /// Stops the run when requested: between epochs of a fit and between phases, never
    /// once the version is being saved.
    pub cancel: Cancel,
}

impl TrainJob {
    /// A job that trains `params`.
    pub fn new(params: Params, activate: Option<bool>) -> TrainJob {
        TrainJob {
            params,
            activate,
            choose: false,
            cancel: Cancel::new(),
        }
    }

    /// A job that trains the ranking model that validates best and, when the data holds
    /// ratings, the default rating model beside it (both seeded with `seed`).
    pub fn best_ranking(seed: u64, activate: Option<bool>) -> TrainJob {
        TrainJob {
            params: Params::defaults(crate::choose::RANKING_CANDIDATES[0]).with_seed(seed),
            activate,
            choose: true,
            cancel: Cancel::new(),
        }
    }

    /// The algorithm's name as runs record it: `auto` until a choice is made.
    pub fn algorithm_name(&self) -> &'static str {
        if self.choose {
            "auto"
        } else {
            self.params.algorithm().name()
        }
    }

    /// The parameters as the registry stores them (none yet for a job that chooses).
    pub fn param_map(&self) -> ParamMap {
        if self.choose {
            return ParamMap::new();
        }
        self.params
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }
}

/// How runs are made, the same for every job of a trainer.
#[derive(Debug, Clone)]
pub struct TrainSettings {
    /// Event weights used to build the snapshot.
    pub weights: EventWeights,
    /// Share of the interactions held out to measure the model before the final fit
    /// (0 skips the measurement).
    pub validation_ratio: f64,
    /// Versions kept after a run (pinned and active ones are never pruned).
    pub keep_versions: usize,
    /// The process's text encoder, for the algorithms that embed item text (and the
    /// flow tuner's content signal).
    pub encoder: SharedEncoder,
    /// Chooses flow settings for each ranking model on the validation split (none: the
    /// version carries none, and is served with the configured ones).
    pub flow_tuner: Option<Arc<dyn FlowTuner>>,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            weights: EventWeights::default(),
            validation_ratio: 0.1,
            keep_versions: 5,
            encoder: SharedEncoder::new(EncoderOptions::default()),
            flow_tuner: None,
        }
    }
}

/// The stages of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the snapshot from the store.
    Loading,
    /// Choosing the algorithm: each candidate fitted and measured on a validation split.
    Choosing,
    /// Fitting on the training part of the validation split.
    Validating,
    /// Measuring that fit on the held-out part.
    Evaluating,
    /// Choosing the flow's settings on a validation split of their own.
    Tuning,
    /// Fitting on everything.
    Training,
    /// Writing the version to the registry.
    Saving,
}

impl Phase {
    /// The phase's name, as the training-status endpoint reports it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Choosing => "choosing",
            Phase::Validating => "validating",
            Phase::Evaluating => "evaluating",
            Phase::Tuning => "tuning",
            Phase::Training => "training",
            Phase::Saving => "saving",
        }
    }
}

/// Follows a run: its phases and the epochs of each fit.
pub trait Observer: Send + 'static {
    /// A new phase starts.
    fn phase(&mut self, _phase: Phase) {}
    /// An epoch of the current fit finished.
    fn epoch(&mut self, _report: &EpochReport) {}
    /// An epoch of the current fit was measured on the model's own validation split
    /// (neural models: validation HR@10 or RMSE).
    fn validation(&mut self, _report: &ValidationReport) {}
    /// Whether losses that cost extra work should be computed.
    fn wants_loss(&self) -> bool {
        true
    }
}

/// Follows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn wants_loss(&self) -> bool {
        false
    }
}

/// Adapts an [`Observer`] to the models' per-epoch [`Progress`], stopping the fit when the
/// job is cancelled.
struct Epochs<'a, O: Observer>(&'a mut O, &'a Cancel);

impl<O: Observer> Progress for Epochs<'_, O> {
    fn on_epoch(&mut self, report: &EpochReport) {
        self.0.epoch(report);
    }

    fn on_validation(&mut self, report: &ValidationReport) {
        self.0.validation(report);
    }

    fn cancelled(&self) -> bool {
        self.1.is_cancelled()
    }

    fn wants_loss(&self) -> bool {
        self.0.wants_loss()
    }
}

/// A run recorded in the store, not yet executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainRun {
    /// The training run's number in the store.
    pub run_id: i64,
    /// Unix seconds.
    pub started_at: i64,
}

/// A finished run: the stored version and the model itself, for a caller that serves it.
#[derive(Debug)]
pub struct Trained {
    /// The training run's number.
    pub run_id: i64,
    /// The registry entry of the new version (as saved; `active` tells whether it was
    /// activated).
    pub info: ModelVersion,
    /// The new version's number.
    pub version: i64,
    /// Whether the new version was activated.
    pub activated: bool,
    /// Metrics on the validation split (empty when the data was too small to split).
    pub metrics: MetricMap,
    /// Versions pruned afterwards.
    pub pruned: Vec<i64>,
    /// The model fitted on everything.
    pub model: Model,
    /// The snapshot it was fitted on.
    pub dataset: Dataset,
    /// Seconds spent fitting and measuring.
    pub train_seconds: f64,
    /// How the algorithm was chosen, when the job asked for a choice.
    pub choice: Option<Choice>,
    /// The flow settings chosen for the model on the validation split, stored with its
    /// parameters.
    pub tuned: Option<Tuned>,
    /// The rating model trained beside the chosen ranking model, when the data holds
    /// ratings.
    pub rating: Option<Companion>,
}

/// A rating model stored by a run that chose its ranking model, as its own version (and
/// its own training run in the history).
#[derive(Debug)]
pub struct Companion {
    /// The registry entry of its version.
    pub info: ModelVersion,
    /// Whether it was activated (as the rating model: the ranking one stays active).
    pub activated: bool,
    /// Metrics on the validation split.
    pub metrics: MetricMap,
    /// The model fitted on everything (the same snapshot as the ranking model).
    pub model: Model,
}

/// What a version is for: a model that predicts ratings serves predictions, any other
/// one ranks lists.
pub fn purpose_of(algorithm: Algorithm) -> ModelPurpose {
    if algorithm.predicts_ratings() {
        ModelPurpose::Rating
    } else {
        ModelPurpose::Ranking
    }
}

/// Records the start of a run of `job` in the store.
pub async fn begin(store: &Store, job: &TrainJob) -> Result<TrainRun, TrainError> {
    let started_at = unix_now();
    let run_id = store
        .start_training_run(job.algorithm_name(), &job.param_map(), started_at)
        .await?;
    Ok(TrainRun { run_id, started_at })
}

impl TrainRun {
    /// Runs the job and records how it ended: succeeded with its version, failed, or
    /// cancelled (nothing stored).
    pub async fn execute<O: Observer>(
        self,
        store: &Store,
        job: &TrainJob,
        settings: &TrainSettings,
        observer: O,
    ) -> Result<Trained, TrainError> {
        let outcome = self.steps(store, job, settings, observer).await;
        record_end(store, self.run_id, outcome.as_ref().map(|t| t.version)).await;
        outcome
    }

    async fn steps<O: Observer>(
        self,
        store: &Store,
        job: &TrainJob,
        settings: &TrainSettings,
        mut observer: O,
    ) -> Result<Trained, TrainError> {
        let cancel = &job.cancel;
        cancel.check()?;
        observer.phase(Phase::Loading);
        let dataset = store.load_dataset(&settings.weights).await?;
        if dataset.nnz() == 0 {
            return Err(TrainError::NoData);
        }
        cancel.check()?;
        let ratio = settings.validation_ratio;
        let (params, choice, dataset) = if job.choose {
            observer.phase(Phase::Choosing);
            let seed = job.params.seed();
            let choosing = cancel.clone();
            let (choice, dataset) = tokio::task::spawn_blocking(move || {
                (
                    choose_ranking_algorithm(&dataset, ratio, seed, &choosing),
                    dataset,
                )
            })
            .await
            .map_err(|e| TrainError::Task(e.to_string()))?;
            let choice = choice?;
            tracing::info!("training {}", choice.describe());
            let params = Params::defaults(choice.algorithm).with_seed(seed);
            (params, Some(choice), dataset)
        } else {
            (job.params.clone(), None, dataset)
        };
        // Lists blend the items' text whatever the model, so the tuner needs the vectors.
        let tuner = settings
            .flow_tuner
            .clone()
            .filter(|_| ratio > 0.0 && purpose_of(params.algorithm()) == ModelPurpose::Ranking);
        let embeds = matches!(params.algorithm(), Algorithm::Content | Algorithm::Hybrid)
            || (tuner.is_some() && crate::embed::has_text(&dataset));
        let vectors = if embeds {
            let handle = settings.encoder.clone();
            let encoder = tokio::task::spawn_blocking(move || handle.get())
                .await
                .map_err(|e| TrainError::Task(e.to_string()))?;
            Some(crate::embed::dataset_vectors(store, &dataset, encoder).await?)
        } else {
            None
        };
        cancel.check()?;
        let fitting = cancel.clone();
        let fit_params = params.clone();
        let (fitted, mut observer) = tokio::task::spawn_blocking(move || {
            fit_and_measure(
                dataset,
                &fit_params,
                vectors.as_ref(),
                ratio,
                tuner.as_deref(),
                &mut observer,
                &fitting,
            )
            .map(|fitted| (fitted, observer))
        })
        .await
        .map_err(|e| TrainError::Task(e.to_string()))??;
        let Fitted {
            model,
            mut dataset,
            metrics,
            seconds: train_seconds,
            tuned,
        } = fitted;
        if let Some(tuned) = &tuned {
            tracing::info!("serving with {}", tuned.description);
        }

        // The last point a run may stop: from here the version is written whole.
        cancel.check()?;
        observer.phase(Phase::Saving);
        let saved = save(
            store,
            &Fit {
                params: &params,
                model: &model,
                dataset: &dataset,
                metrics: &metrics,
                train_seconds,
                started_at: self.started_at,
                tuned: tuned.as_ref(),
            },
            job.activate,
        )
        .await?;
        let rating = if job.choose && dataset.n_ratings() > 0 {
            let rating_params =
                Params::defaults(crate::default_algorithm(true)).with_seed(params.seed());
            let (rating, back) =
                companion(store, rating_params, dataset, job, ratio, observer).await?;
            dataset = back;
            Some(rating)
        } else {
            None
        };
        let pruned = store.prune_model_versions(settings.keep_versions).await?;
        Ok(Trained {
            run_id: self.run_id,
            version: saved.info.version,
            info: saved.info,
            activated: saved.activated,
            metrics,
            pruned,
            model,
            dataset,
            train_seconds,
            choice,
            tuned,
            rating,
        })
    }
}

/// A fitted model and what the registry records with it.
struct Fit<'a> {
    params: &'a Params,
    model: &'a Model,
    dataset: &'a Dataset,
    metrics: &'a MetricMap,
    train_seconds: f64,
    started_at: i64,
    /// Flow settings chosen with the model, stored with its parameters.
    tuned: Option<&'a Tuned>,
}

/// A stored version and whether it was activated.
struct Saved {
    info: ModelVersion,
    activated: bool,
}

/// Stores `fit` as a new version and activates it when asked (`None`: when no version of
/// its purpose is active).
async fn save(store: &Store, fit: &Fit<'_>, activate: Option<bool>) -> Result<Saved, TrainError> {
    let algorithm = fit.params.algorithm();
    let purpose = purpose_of(algorithm);
    let param_map: ParamMap = fit
        .params
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .chain(fit.tuned.into_iter().flat_map(|t| t.params.clone()))
        .collect();
    let blob = Bundle::encode(fit.model, fit.dataset)?;
    let version = store
        .save_model_version(&NewModelVersion {
            algorithm: algorithm.name(),
            purpose,
            params: &param_map,
            metrics: fit.metrics,
            blob: &blob,
            n_users: fit.dataset.n_users() as u64,
            n_items: fit.dataset.n_items() as u64,
            n_interactions: fit.dataset.nnz() as u64,
            train_seconds: fit.train_seconds,
            created_at: fit.started_at,
        })
        .await?;
    let activated = match activate {
        Some(yes) => yes,
        None => store.active_model_version(purpose).await?.is_none(),
    };
    if activated {
        store.activate_model_version(version).await?;
    }
    let info = store
        .model_version(version)
        .await?
        .ok_or(TrainError::Vanished(version))?;
    Ok(Saved { info, activated })
}

/// Fits, measures and stores the rating model of a run that chose its ranking model, on
/// the same snapshot, recorded as a training run of its own; hands the snapshot back.
async fn companion<O: Observer>(
    store: &Store,
    params: Params,
    dataset: Dataset,
    job: &TrainJob,
    ratio: f64,
    mut observer: O,
) -> Result<(Companion, Dataset), TrainError> {
    let rating_job = TrainJob::new(params.clone(), job.activate);
    let run = begin(store, &rating_job).await?;
    let fitting = job.cancel.clone();
    let outcome = async {
        let Fitted {
            model,
            dataset,
            metrics,
            seconds: train_seconds,
            ..
        } = tokio::task::spawn_blocking(move || {
            fit_and_measure(dataset, &params, None, ratio, None, &mut observer, &fitting)
        })
        .await
        .map_err(|e| TrainError::Task(e.to_string()))??;
        job.cancel.check()?;
        let saved = save(
            store,
            &Fit {
                params: &rating_job.params,
                model: &model,
                dataset: &dataset,
                metrics: &metrics,
                train_seconds,
                started_at: run.started_at,
                tuned: None,
            },
            job.activate,
        )
        .await?;
        let companion = Companion {
            info: saved.info,
            activated: saved.activated,
            metrics,
            model,
        };
        Ok((companion, dataset))
    }
    .await;
    let version = outcome
        .as_ref()
        .map(|(companion, _)| companion.info.version);
    record_end(store, run.run_id, version).await;
    outcome
}

/// Records how run `run_id` ended: with its version stored, cancelled, or failed. Not
/// being able to record it is logged, not returned: the run's own outcome matters more.
async fn record_end(store: &Store, run_id: i64, outcome: Result<i64, &TrainError>) {
    let message;
    let end = match outcome {
        Ok(version) => RunEnd::Succeeded(version),
        Err(TrainError::Cancelled { reason }) => RunEnd::Cancelled(reason),
        Err(error) => {
            message = error.to_string();
            RunEnd::Failed(&message)
        }
    };
    if let Err(e) = store.finish_training_run(run_id, end, unix_now()).await {
        tracing::warn!(run_id, "recording the end of a training run: {e}");
    }
}

/// A model fitted on everything, with what was measured on the way.
struct Fitted {
    model: Model,
    dataset: Dataset,
    /// Metrics on the validation split.
    metrics: MetricMap,
    /// Seconds spent fitting and measuring.
    seconds: f64,
    /// The flow settings the tuner chose.
    tuned: Option<Tuned>,
}

/// Fits on a training split and measures on the held-out rest (when the data allows a
/// split), lets `tuner` choose the flow's settings, then fits on everything.
fn fit_and_measure<O: Observer>(
    dataset: Dataset,
    params: &Params,
    vectors: Option<&ItemVectors>,
    ratio: f64,
    tuner: Option<&dyn FlowTuner>,
    observer: &mut O,
    cancel: &Cancel,
) -> Result<Fitted, TrainError> {
    let started = Instant::now();
    let mut metrics = MetricMap::new();
    if ratio > 0.0
        && let Ok(fold) = split::holdout(&dataset, ratio, params.seed())
        && fold.train.nnz() > 0
        && fold.test.nnz() > 0
    {
        observer.phase(Phase::Validating);
        // A validation fit that fails (say, too few interactions for the split) leaves the
        // version without metrics rather than failing the run: the final fit decides.
        match Model::fit_with_vectors(&fold.train, params, vectors, &mut Epochs(observer, cancel)) {
            Ok(model) => {
                cancel.check()?;
                observer.phase(Phase::Evaluating);
                match evaluate(&model, &fold.train, &fold.test, &EvalOptions::default()) {
                    Ok(m) => metrics.extend(m),
                    Err(e) => tracing::warn!("evaluating the validation split failed: {e}"),
                }
            }
            Err(e @ orrery_models::Error::Cancelled { .. }) => {
                return Err(TrainError::from_model(e, cancel));
            }
            Err(e) => tracing::warn!("fitting the validation split failed: {e}"),
        }
    }
    let tuned = match tuner {
        Some(tuner) => {
            cancel.check()?;
            observer.phase(Phase::Tuning);
            // As with the validation fit, a choice that fails leaves the defaults.
            match tuner.tune(&dataset, params, vectors, &mut Epochs(observer, cancel)) {
                Ok(tuned) => tuned,
                Err(TrainError::Model(e @ orrery_models::Error::Cancelled { .. })) => {
                    return Err(TrainError::from_model(e, cancel));
                }
                Err(e) => {
                    tracing::warn!("choosing the flow's settings failed: {e}");
                    None
                }
            }
        }
        None => None,
    };
    cancel.check()?;
    observer.phase(Phase::Training);
    let model = Model::fit_with_vectors(&dataset, params, vectors, &mut Epochs(observer, cancel))
        .map_err(|e| TrainError::from_model(e, cancel))?;
    Ok(Fitted {
        model,
        dataset,
        metrics,
        seconds: started.elapsed().as_secs_f64(),
        tuned,
    })
}
