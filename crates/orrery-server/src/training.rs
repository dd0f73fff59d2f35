//! Background training and model management for the server: one training at a time, off
//! the request path, with progress for the status endpoint. The run itself (snapshot, a
//! measured fit on a validation split, the final fit, the registry version) is
//! [`orrery_train`]'s, the same as `orrery train`'s; this module only schedules it,
//! reports on it and serves the result.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orrery_models::{EpochReport, Params, ValidationReport};
use orrery_store::{DeleteVersion, MetricMap, ParamMap, RunEnd};
use orrery_train::{Cancel, Observer, Phase, TrainError, TrainSettings, Trained};
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::{ApiError, error_chain};
use orrery_engine::{Engine, EngineError, ServingModel};

pub use orrery_train::{TrainJob, unix_now};

/// Parameters from an algorithm name (or the default for the stored data) and `key=value`
/// pairs; errors name the request field at fault, under `field_prefix`.
pub fn job_params(
    algorithm: Option<&str>,
    algorithm_field: &str,
    pairs: &[(String, String)],
    field_prefix: &str,
    has_ratings: bool,
) -> Result<Params, ApiError> {
    let algorithm = match algorithm {
        Some(name) => orrery_train::parse_algorithm(name)
            .map_err(|e| ApiError::invalid(algorithm_field, e.to_string()))?,
        // Ratings call for a rating model; likes and clicks for an implicit one.
        None => orrery_train::default_algorithm(has_ratings),
    };
    let mut params = Params::defaults(algorithm);
    for (key, value) in pairs {
        let key = match key.as_str() {
            "n_factors" | "num_factors" => "factors",
            "n_epochs" | "num_epochs" => "epochs",
            other => other,
        };
        params
            .set(key, value)
            .map_err(|e| ApiError::invalid(format!("{field_prefix}.{key}"), e.to_string()))?;
    }
    params.validate().map_err(|e| {
        let field = match &e {
            orrery_models::Error::InvalidParam { name, .. } => format!("{field_prefix}.{name}"),
            _ => field_prefix.to_owned(),
        };
        ApiError::invalid(field, e.to_string())
    })?;
    Ok(params)
}

/// Where a running training is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunProgress {
    /// Training run number.
    pub run_id: i64,
    /// The algorithm.
    pub algorithm: String,
    /// Its parameters.
    #[schema(value_type = BTreeMap<String, String>)]
    pub params: ParamMap,
    /// `loading`, `validating` (fit on the training split), `evaluating`, `tuning` (the
    /// flow's settings chosen on a validation split), `training` (fit on everything) or
    /// `saving`.
    pub phase: String,
    /// Epochs finished in this phase.
    pub epoch: usize,
    /// Epochs of this phase.
    pub epochs: usize,
    /// Training loss after the last epoch.
    pub loss: Option<f64>,
    /// The last epoch's measurement on the model's own validation split (neural models:
    /// `hr@10` for NCF, GMF and NeuMF, `rmse` for layer 4).
    pub validation: Option<EpochValidation>,
    /// Unix seconds.
    pub started_at: i64,
    /// Seconds since the start.
    pub elapsed_seconds: f64,
    /// Whether the run was asked to stop (`POST /training/cancel`); it stops after the
    /// epoch or phase under way and stores nothing.
    pub cancel_requested: bool,
}

/// A validation measurement after an epoch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EpochValidation {
    /// The epoch measured, from 1.
    pub epoch: usize,
    /// The metric (`hr@10`, `rmse`).
    pub metric: String,
    /// Its value.
    pub value: f64,
}

/// How a training run ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    /// Training run number.
    pub run_id: i64,
    /// The algorithm.
    pub algorithm: String,
    /// `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// The stored version.
    pub version: Option<i64>,
    /// Whether it was activated.
    pub activated: bool,
    /// Holdout metrics (empty when the data was too small to hold any out).
    #[schema(value_type = BTreeMap<String, f64>)]
    pub metrics: MetricMap,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// Seconds from start to end.
    pub train_seconds: f64,
    /// Unix seconds.
    pub finished_at: i64,
    /// Versions pruned afterwards.
    pub pruned: Vec<i64>,
    /// The flow settings chosen for the model on a validation split and served with it
    /// (e.g. `flow.popularity_prior`), stored among its parameters.
    #[schema(value_type = BTreeMap<String, String>)]
    pub flow: ParamMap,
    /// The rating model a run that chose its ranking model trained beside it (when the
    /// data holds ratings), stored as a version of its own.
    pub rating_model: Option<RatingModelSummary>,
}

/// The flow settings among a version's parameters.
fn flow_params(params: &ParamMap) -> ParamMap {
    params
        .iter()
        .filter(|(k, _)| k.starts_with("flow."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The rating model trained beside a chosen ranking model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingModelSummary {
    /// Its algorithm.
    pub algorithm: String,
    /// Its version.
    pub version: i64,
    /// Whether it was activated (as the rating model; the ranking model stays).
    pub activated: bool,
    /// Holdout metrics (RMSE, MAE, …).
    #[schema(value_type = BTreeMap<String, f64>)]
    pub metrics: MetricMap,
}

/// The training-status document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingStatus {
    /// Whether a training is running.
    pub running: bool,
    /// Its progress.
    pub current: Option<RunProgress>,
    /// The last finished run: this server's, or after a restart the newest finished run
    /// the store recorded (its `activated` then says whether its version is active now,
    /// and `pruned` is empty).
    pub last: Option<RunSummary>,
}

#[derive(Debug, Default)]
struct TrainerState {
    current: Option<RunProgress>,
    started: Option<Instant>,
    last: Option<RunSummary>,
    /// Stops the current run.
    cancel: Option<Cancel>,
    /// The task running the current run, for shutdown to wait on.
    task: Option<tokio::task::JoinHandle<()>>,
}

fn lock(state: &Mutex<TrainerState>) -> std::sync::MutexGuard<'_, TrainerState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Mirrors a run's phases and epochs into the status document.
struct StatusObserver(Arc<Mutex<TrainerState>>);

impl Observer for StatusObserver {
    fn phase(&mut self, phase: Phase) {
        if let Some(current) = lock(&self.0).current.as_mut() {
            current.phase = phase.name().to_owned();
            current.epoch = 0;
            current.epochs = 0;
            current.loss = None;
            current.validation = None;
        }
    }

    fn validation(&mut self, report: &ValidationReport) {
        if let Some(current) = lock(&self.0).current.as_mut() {
            current.validation = Some(EpochValidation {
                epoch: report.epoch,
                metric: report.metric.to_owned(),
                value: report.value,
            });
        }
    }

    fn epoch(&mut self, report: &EpochReport) {
        if let Some(current) = lock(&self.0).current.as_mut() {
            current.epoch = report.epoch;
            current.epochs = report.epochs;
            current.loss = report.loss.is_finite().then_some(report.loss);
        }
    }
}

/// Runs trainings in the background, one at a time.
pub struct Trainer {
    engine: Arc<Engine>,
    settings: TrainSettings,
    state: Arc<Mutex<TrainerState>>,
}

impl Trainer {
    /// A trainer for `engine`'s store.
    pub fn new(engine: Arc<Engine>, keep_versions: usize, validation_ratio: f64) -> Trainer {
        let settings = TrainSettings {
            weights: engine.settings().weights.clone(),
            validation_ratio,
            keep_versions,
            encoder: engine.settings().encoder.clone(),
            flow_tuner: Some(engine.flow_tuner()),
        };
        Trainer {
            engine,
            settings,
            state: Arc::new(Mutex::new(TrainerState::default())),
        }
    }

    /// Whether the stored interactions include explicit ratings.
    pub async fn has_ratings(&self) -> Result<bool, ApiError> {
        Ok(self.engine.store().stats().await?.mean_rating.is_some())
    }

    /// The current status.
    pub fn status(&self) -> TrainingStatus {
        let state = lock(&self.state);
        let current = state.current.clone().map(|mut p| {
            p.elapsed_seconds = state.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
            p
        });
        TrainingStatus {
            running: current.is_some(),
            current,
            last: state.last.clone(),
        }
    }

    /// [`Trainer::status`], with the store's newest finished run as `last` when this
    /// server has not finished one since it started.
    pub async fn status_or_stored(&self) -> Result<TrainingStatus, ApiError> {
        let mut status = self.status();
        if status.last.is_none() {
            status.last = self.stored_last_run().await?;
        }
        Ok(status)
    }

    async fn stored_last_run(&self) -> Result<Option<RunSummary>, ApiError> {
        let store = self.engine.store();
        let runs = store.training_runs(20).await?;
        let Some(run) = runs.into_iter().find(|r| r.finished_at.is_some()) else {
            return Ok(None);
        };
        let stored = match run.version {
            Some(v) => store.model_version(v).await?,
            None => None,
        };
        let finished_at = run.finished_at.unwrap_or(run.started_at);
        Ok(Some(RunSummary {
            run_id: run.id,
            algorithm: run.algorithm,
            status: run.status.as_str().to_owned(),
            version: run.version,
            activated: stored.as_ref().is_some_and(|m| m.active),
            flow: stored
                .as_ref()
                .map(|m| flow_params(&m.params))
                .unwrap_or_default(),
            metrics: stored.map(|m| m.metrics).unwrap_or_default(),
            error: run.error,
            train_seconds: (finished_at - run.started_at).max(0) as f64,
            finished_at,
            pruned: Vec::new(),
            rating_model: None,
        }))
    }

    /// Starts training in the background; 409 while another one runs.
    pub async fn start(&self, job: TrainJob) -> Result<RunProgress, ApiError> {
        let params: ParamMap = job.param_map();
        let algorithm = job.algorithm_name().to_owned();
        {
            let mut state = lock(&self.state);
            if let Some(running) = &state.current {
                return Err(ApiError::Conflict(format!(
                    "training run {} ({}) is still running: wait for GET /training/status to \
                     report it finished",
                    running.run_id, running.algorithm
                )));
            }
            state.current = Some(RunProgress {
                run_id: 0,
                algorithm: algorithm.clone(),
                params,
                phase: Phase::Loading.name().into(),
                epoch: 0,
                epochs: 0,
                loss: None,
                validation: None,
                started_at: unix_now(),
                elapsed_seconds: 0.0,
                cancel_requested: false,
            });
            state.started = Some(Instant::now());
            state.cancel = Some(job.cancel.clone());
        }
        let run = match orrery_train::begin(self.engine.store(), &job).await {
            Ok(run) => run,
            Err(e) => {
                let mut state = lock(&self.state);
                state.current = None;
                state.cancel = None;
                drop(state);
                return Err(match e {
                    orrery_train::TrainError::Store(e) => e.into(),
                    other => ApiError::Internal(error_chain(&other)),
                });
            }
        };
        let progress = {
            let mut state = lock(&self.state);
            // Only the task spawned below clears the slot taken above.
            let current = state.current.get_or_insert_with(|| RunProgress {
                run_id: run.run_id,
                algorithm: algorithm.clone(),
                params: job.param_map(),
                phase: Phase::Loading.name().into(),
                epoch: 0,
                epochs: 0,
                loss: None,
                validation: None,
                started_at: run.started_at,
                elapsed_seconds: 0.0,
                cancel_requested: false,
            });
            current.run_id = run.run_id;
            current.started_at = run.started_at;
            current.clone()
        };
        let engine = self.engine.clone();
        let state = self.state.clone();
        let settings = self.settings.clone();
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let outcome = run
                .execute(
                    engine.store(),
                    &job,
                    &settings,
                    StatusObserver(state.clone()),
                )
                .await;
            let summary = match outcome {
                Ok(trained) => serve(&engine, trained, algorithm).await,
                Err(error) => {
                    let status = match &error {
                        TrainError::Cancelled { .. } => {
                            tracing::info!(run_id = run.run_id, "{error}");
                            "cancelled"
                        }
                        _ => {
                            tracing::warn!(run_id = run.run_id, "training failed: {error}");
                            "failed"
                        }
                    };
                    RunSummary {
                        run_id: run.run_id,
                        algorithm,
                        status: status.into(),
                        version: None,
                        activated: false,
                        metrics: MetricMap::new(),
                        error: Some(match &error {
                            TrainError::Cancelled { reason } => reason.clone(),
                            other => error_chain(other),
                        }),
                        train_seconds: started.elapsed().as_secs_f64(),
                        finished_at: unix_now(),
                        pruned: Vec::new(),
                        flow: ParamMap::new(),
                        rating_model: None,
                    }
                }
            };
            let mut state = lock(&state);
            state.current = None;
            state.started = None;
            state.cancel = None;
            state.task = None;
            state.last = Some(summary);
        });
        let mut state = lock(&self.state);
        // The task may have finished already (a run refused at once), and cleared the slot.
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.run_id == run.run_id)
        {
            state.task = Some(task);
        }
        Ok(progress)
    }

    /// Asks the running training to stop after the epoch or phase under way; it is then
    /// recorded as cancelled and stores nothing. 409 when nothing runs.
    pub fn cancel(&self, reason: &str) -> Result<RunProgress, ApiError> {
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        let (Some(current), Some(cancel)) = (state.current.as_mut(), state.cancel.as_ref()) else {
            return Err(ApiError::Conflict(
                "no training is running: GET /training/status tells how the last one ended".into(),
            ));
        };
        cancel.cancel(reason);
        current.cancel_requested = true;
        let mut progress = current.clone();
        progress.elapsed_seconds = state.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        Ok(progress)
    }

    /// Stops the running training for a server that stops: asks it to cancel, waits up to
    /// `grace` for it to record that, and otherwise records it as cancelled itself. A fit
    /// still running on its thread after that ends with the process.
    pub async fn shutdown(&self, grace: Duration) {
        let (run_id, task) = {
            let mut state = lock(&self.state);
            let Some(current) = state.current.as_ref() else {
                return;
            };
            let run_id = current.run_id;
            if let Some(cancel) = &state.cancel {
                cancel.cancel("the server stopped");
            }
            (run_id, state.task.take())
        };
        tracing::info!(run_id, "stopping the training run");
        if let Some(task) = task
            && tokio::time::timeout(grace, task).await.is_ok()
        {
            return;
        }
        let reason = format!(
            "the server stopped; the run did not reach a point to stop within {} s",
            grace.as_secs()
        );
        if let Err(e) = self
            .engine
            .store()
            .finish_training_run(run_id, RunEnd::Cancelled(&reason), unix_now())
            .await
        {
            tracing::warn!(run_id, "recording the cancelled run: {e}");
        }
    }
}

/// Serves a trained version when it was activated, and sums the run up.
async fn serve(engine: &Engine, trained: Trained, algorithm: String) -> RunSummary {
    let Trained {
        run_id,
        info,
        version,
        activated,
        metrics,
        pruned,
        model,
        dataset,
        train_seconds,
        choice,
        tuned,
        rating,
    } = trained;
    if let Some(tuned) = &tuned {
        tracing::info!(run_id, "lists blend with {}", tuned.description);
    }
    let flow = flow_params(&info.params);
    // A chosen algorithm is known only now.
    let algorithm = match choice {
        Some(choice) => {
            tracing::info!(run_id, "trained {}", choice.describe());
            choice.algorithm.name().to_owned()
        }
        None => algorithm,
    };
    if activated {
        engine
            .serve_trained(ServingModel::new(info, model, &dataset), &dataset)
            .await;
    }
    let rating_model = match rating {
        Some(rating) => {
            let summary = RatingModelSummary {
                algorithm: rating.info.algorithm.clone(),
                version: rating.info.version,
                activated: rating.activated,
                metrics: rating.metrics,
            };
            if rating.activated {
                let model = ServingModel::new(rating.info, rating.model, &dataset);
                engine.serve_model(model).await;
            }
            Some(summary)
        }
        None => None,
    };
    RunSummary {
        run_id,
        algorithm,
        status: "succeeded".into(),
        version: Some(version),
        activated,
        metrics,
        error: None,
        train_seconds,
        finished_at: unix_now(),
        pruned,
        flow,
        rating_model,
    }
}

/// Makes a stored version the served one.
pub async fn activate_version(engine: &Engine, version: i64) -> Result<(), ApiError> {
    // Decoded first, so that a version that does not load is never recorded as active;
    // recorded before it is served, so that servers following the registry agree.
    let model = engine.load_version(version).await?;
    if !engine.store().activate_model_version(version).await? {
        return Err(EngineError::UnknownVersion(version).into());
    }
    engine.serve_model(model).await;
    Ok(())
}

/// Deletes a stored version unless it is active.
pub async fn delete_version(engine: &Engine, version: i64) -> Result<(), ApiError> {
    match engine.store().delete_model_version(version).await? {
        DeleteVersion::Deleted => Ok(()),
        DeleteVersion::NotFound => Err(EngineError::UnknownVersion(version).into()),
        DeleteVersion::InExperiment(experiment) => Err(ApiError::Conflict(format!(
            "model version {version} serves a variant of experiment {experiment:?}: stop the \
             experiment before deleting it"
        ))),
        DeleteVersion::Active => Err(ApiError::Conflict(format!(
            "model version {version} is active: activate another version before deleting it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_models::Algorithm;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn seed_bodies_map_to_validated_params() {
        let p = job_params(
            Some("matrix_factorization"),
            "model_type",
            &pairs(&[
                ("n_factors", "16"),
                ("learning_rate", "0.02"),
                ("regularization", "0.1"),
                ("epochs", "5"),
            ]),
            "hyperparams",
            true,
        )
        .unwrap();
        assert_eq!(p.algorithm(), Algorithm::Mf);
        assert_eq!(p.get("factors").as_deref(), Some("16"));
        assert_eq!(p.get("epochs").as_deref(), Some("5"));
        assert_eq!(
            job_params(None, "algorithm", &[], "p", false)
                .unwrap()
                .algorithm(),
            Algorithm::Als
        );
        assert_eq!(
            job_params(None, "algorithm", &[], "p", true)
                .unwrap()
                .algorithm(),
            Algorithm::Mf
        );

        let err = job_params(
            Some("mf"),
            "algorithm",
            &pairs(&[("factors", "0")]),
            "hyperparameters",
            true,
        )
        .unwrap_err();
        assert_eq!(
            err.problem().field.as_deref(),
            Some("hyperparameters.factors")
        );
        let err = job_params(
            Some("mf"),
            "algorithm",
            &pairs(&[("alpha", "1")]),
            "hyperparameters",
            true,
        )
        .unwrap_err();
        assert_eq!(
            err.problem().field.as_deref(),
            Some("hyperparameters.alpha")
        );
        let err =
            job_params(Some("deep_magic"), "model_type", &[], "hyperparams", true).unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("model_type"));
        assert_eq!(err.status(), 422);
    }
}
