//! Background training and model management: one training at a time, off the request
//! path, with progress for the status endpoint; each run holds out a validation split,
//! measures the model on it (orrery-eval), refits on everything, stores the version with
//! its parameters and metrics in the registry, activates it when asked (or when nothing is
//! active) and prunes old versions.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use orrery_core::Dataset;
use orrery_eval::{EvalOptions, evaluate, split};
use orrery_models::{Algorithm, EpochReport, Model, Params};
use orrery_store::{DeleteVersion, MetricMap, NewModelVersion, ParamMap};
use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::{Engine, EngineError, ServingModel};
use crate::problem::{ApiError, error_chain};

/// Unix seconds now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Validated parameters (the algorithm is in them).
    pub params: Params,
    /// Activate the new version: `None` activates it only when no version is active.
    pub activate: Option<bool>,
}

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
        Some(name) => {
            parse_algorithm(name).map_err(|e| ApiError::invalid(algorithm_field, e.to_string()))?
        }
        // Ratings call for a rating model; likes and clicks for an implicit one.
        None if has_ratings => Algorithm::Mf,
        None => Algorithm::Als,
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

/// An algorithm by its Orrery name or a seed's (`matrix_factorization`, `svd`).
fn parse_algorithm(name: &str) -> Result<Algorithm, orrery_models::Error> {
    match name.trim().to_ascii_lowercase().as_str() {
        "matrix_factorization" | "svd" | "funk_svd" => Ok(Algorithm::Mf),
        "implicit_als" | "cf" | "collaborative_filtering" => Ok(Algorithm::Als),
        "item_knn" | "item-knn" | "knn" => Ok(Algorithm::ItemKnn),
        other => other.parse(),
    }
}

/// Where a running training is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunProgress {
    /// Training run number.
    pub run_id: i64,
    /// The algorithm.
    pub algorithm: String,
    /// Its parameters.
    pub params: ParamMap,
    /// `loading`, `validating` (fit on the training split), `evaluating`, `training` (fit on
    /// everything) or `saving`.
    pub phase: String,
    /// Epochs finished in this phase.
    pub epoch: usize,
    /// Epochs of this phase.
    pub epochs: usize,
    /// Training loss after the last epoch.
    pub loss: Option<f64>,
    /// Unix seconds.
    pub started_at: i64,
    /// Seconds since the start.
    pub elapsed_seconds: f64,
}

/// How a training run ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    /// Training run number.
    pub run_id: i64,
    /// The algorithm.
    pub algorithm: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The stored version.
    pub version: Option<i64>,
    /// Whether it was activated.
    pub activated: bool,
    /// Holdout metrics (empty when the data was too small to hold any out).
    pub metrics: MetricMap,
    /// Why it failed.
    pub error: Option<String>,
    /// Seconds from start to end.
    pub train_seconds: f64,
    /// Unix seconds.
    pub finished_at: i64,
    /// Versions pruned afterwards.
    pub pruned: Vec<i64>,
}

/// The training-status document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingStatus {
    /// Whether a training is running.
    pub running: bool,
    /// Its progress.
    pub current: Option<RunProgress>,
    /// The last finished run since the server started.
    pub last: Option<RunSummary>,
}

#[derive(Debug, Default)]
struct TrainerState {
    current: Option<RunProgress>,
    started: Option<Instant>,
    last: Option<RunSummary>,
}

/// Runs trainings in the background, one at a time.
pub struct Trainer {
    engine: Arc<Engine>,
    keep_versions: usize,
    validation_ratio: f64,
    state: Arc<Mutex<TrainerState>>,
}

fn lock(state: &Mutex<TrainerState>) -> std::sync::MutexGuard<'_, TrainerState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Trainer {
    /// A trainer for `engine`'s store.
    pub fn new(engine: Arc<Engine>, keep_versions: usize, validation_ratio: f64) -> Trainer {
        Trainer {
            engine,
            keep_versions,
            validation_ratio,
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

    /// Starts training in the background; 409 while another one runs.
    pub async fn start(&self, job: TrainJob) -> Result<RunProgress, ApiError> {
        let params: ParamMap = job
            .params
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let algorithm = job.params.algorithm().name().to_owned();
        let started_at = unix_now();
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
                params: params.clone(),
                phase: "loading".into(),
                epoch: 0,
                epochs: 0,
                loss: None,
                started_at,
                elapsed_seconds: 0.0,
            });
            state.started = Some(Instant::now());
        }
        let run_id = match self
            .engine
            .store()
            .start_training_run(&algorithm, &params, started_at)
            .await
        {
            Ok(id) => id,
            Err(e) => {
                lock(&self.state).current = None;
                return Err(e.into());
            }
        };
        let progress = {
            let mut state = lock(&self.state);
            let current = state.current.get_or_insert_with(|| RunProgress {
                run_id,
                algorithm: algorithm.clone(),
                params: params.clone(),
                phase: "loading".into(),
                epoch: 0,
                epochs: 0,
                loss: None,
                started_at,
                elapsed_seconds: 0.0,
            });
            current.run_id = run_id;
            current.clone()
        };
        let engine = self.engine.clone();
        let state = self.state.clone();
        let keep = self.keep_versions;
        let ratio = self.validation_ratio;
        tokio::spawn(async move {
            let started = Instant::now();
            let outcome = run(&engine, &state, &job, ratio, keep, started_at).await;
            let train_seconds = started.elapsed().as_secs_f64();
            let finished_at = unix_now();
            let summary = match outcome {
                Ok(done) => {
                    if let Err(e) = engine
                        .store()
                        .finish_training_run(run_id, Ok(done.version), finished_at)
                        .await
                    {
                        tracing::warn!(run_id, "recording the end of a training run: {e}");
                    }
                    RunSummary {
                        run_id,
                        algorithm,
                        status: "succeeded".into(),
                        version: Some(done.version),
                        activated: done.activated,
                        metrics: done.metrics,
                        error: None,
                        train_seconds,
                        finished_at,
                        pruned: done.pruned,
                    }
                }
                Err(error) => {
                    tracing::warn!(run_id, "training failed: {error}");
                    if let Err(e) = engine
                        .store()
                        .finish_training_run(run_id, Err(&error), finished_at)
                        .await
                    {
                        tracing::warn!(run_id, "recording the end of a training run: {e}");
                    }
                    RunSummary {
                        run_id,
                        algorithm,
                        status: "failed".into(),
                        version: None,
                        activated: false,
                        metrics: MetricMap::new(),
                        error: Some(error),
                        train_seconds,
                        finished_at,
                        pruned: Vec::new(),
                    }
                }
            };
            let mut state = lock(&state);
            state.current = None;
            state.started = None;
            state.last = Some(summary);
        });
        Ok(progress)
    }
}

struct Done {
    version: i64,
    activated: bool,
    metrics: MetricMap,
    pruned: Vec<i64>,
}

fn set_phase(state: &Mutex<TrainerState>, phase: &str) {
    if let Some(current) = lock(state).current.as_mut() {
        current.phase = phase.to_owned();
        current.epoch = 0;
        current.epochs = 0;
        current.loss = None;
    }
}

async fn run(
    engine: &Engine,
    state: &Arc<Mutex<TrainerState>>,
    job: &TrainJob,
    ratio: f64,
    keep: usize,
    started_at: i64,
) -> Result<Done, String> {
    let store = engine.store();
    let dataset = store
        .load_dataset(&engine.settings().weights)
        .await
        .map_err(|e| error_chain(&e))?;
    let params = job.params.clone();
    let shared = state.clone();
    let fitted =
        tokio::task::spawn_blocking(move || fit_and_measure(dataset, &params, ratio, &shared))
            .await
            .map_err(|e| format!("the training task stopped: {e}"))??;
    let (model, dataset, metrics, train_seconds) = fitted;
    set_phase(state, "saving");
    let bundle = ServingModel::to_bundle(&model, &dataset).map_err(|e| e.to_string())?;
    let params: ParamMap = job
        .params
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let algorithm = job.params.algorithm().name();
    let version = store
        .save_model_version(&NewModelVersion {
            algorithm,
            params: &params,
            metrics: &metrics,
            blob: &bundle,
            n_users: dataset.n_users() as u64,
            n_items: dataset.n_items() as u64,
            n_interactions: dataset.nnz() as u64,
            train_seconds,
            created_at: started_at,
        })
        .await
        .map_err(|e| error_chain(&e))?;
    let activate = match job.activate {
        Some(yes) => yes,
        None => store
            .active_model_version()
            .await
            .map_err(|e| error_chain(&e))?
            .is_none(),
    };
    if activate {
        store
            .activate_model_version(version)
            .await
            .map_err(|e| error_chain(&e))?;
        let info = store
            .model_version(version)
            .await
            .map_err(|e| error_chain(&e))?
            .ok_or_else(|| format!("version {version} vanished after it was saved"))?;
        engine
            .serve_trained(ServingModel::new(info, model, &dataset), &dataset)
            .await;
    }
    let pruned = store
        .prune_model_versions(keep)
        .await
        .map_err(|e| error_chain(&e))?;
    Ok(Done {
        version,
        activated: activate,
        metrics,
        pruned,
    })
}

type Fitted = (Model, Dataset, MetricMap, f64);

/// Fits on a training split and measures on the held-out rest (when the data allows a
/// split), then fits on everything.
fn fit_and_measure(
    dataset: Dataset,
    params: &Params,
    ratio: f64,
    state: &Arc<Mutex<TrainerState>>,
) -> Result<Fitted, String> {
    let started = Instant::now();
    let mut progress = |r: &EpochReport| {
        if let Some(current) = lock(state).current.as_mut() {
            current.epoch = r.epoch;
            current.epochs = r.epochs;
            current.loss = r.loss.is_finite().then_some(r.loss);
        }
    };
    let mut metrics = MetricMap::new();
    if ratio > 0.0
        && let Ok(fold) = split::holdout(&dataset, ratio, params.seed())
        && fold.train.nnz() > 0
        && fold.test.nnz() > 0
    {
        set_phase(state, "validating");
        match Model::fit(&fold.train, params, &mut progress) {
            Ok(model) => {
                set_phase(state, "evaluating");
                match evaluate(&model, &fold.train, &fold.test, &EvalOptions::default()) {
                    Ok(m) => metrics.extend(m),
                    Err(e) => tracing::warn!("evaluating the holdout split failed: {e}"),
                }
            }
            Err(e) => tracing::warn!("fitting the validation split failed: {e}"),
        }
    }
    set_phase(state, "training");
    let model = Model::fit(&dataset, params, &mut progress).map_err(|e| e.to_string())?;
    Ok((model, dataset, metrics, started.elapsed().as_secs_f64()))
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
        DeleteVersion::Active => Err(ApiError::Conflict(format!(
            "model version {version} is active: activate another version before deleting it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
