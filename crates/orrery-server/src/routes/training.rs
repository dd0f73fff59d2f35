//! Training, the model registry and metrics: `POST /training/train`, `GET
//! /training/status`, `GET /models`, `POST /models/{version}/activate`, `DELETE
//! /models/{version}`, pins, `GET /metrics` and `GET /metrics/history`. All but the reads
//! need the admin key when one is configured.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use orrery_store::{MetricMap, ModelVersion, ParamMap, TrainingRun};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::{OptionalBody, Params};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::users::Message;
use crate::state::AppState;
use crate::training::{
    RunProgress, TrainJob, TrainingStatus, activate_version, delete_version, job_params,
};

/// What to train. Three shapes are read: `algorithm` and `hyperparameters`; `model_type`
/// and `hyperparams`; `retrain_cf` and `regenerate_embeddings`. With neither an algorithm nor parameters, the ranking model
/// that validates best on a held-out split is trained (`auto`); with parameters only, `mf`
/// when the data has ratings and `als` otherwise.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TrainRequest {
    /// An Orrery algorithm name (`mf`, `als`, `itemknn`, `ease`, `popularity`, …; see
    /// `orrery-models`), or `matrix_factorization` / `svd` for `mf`.
    pub algorithm: Option<String>,
    /// Same as `algorithm`.
    pub model_type: Option<String>,
    /// Parameters by name (e.g. `{"factors": 64, "epochs": 20}`), validated.
    #[schema(value_type = Option<Object>)]
    pub hyperparameters: Option<serde_json::Map<String, serde_json::Value>>,
    /// Same as `hyperparameters` (with the aliases `n_factors`, `learning_rate`,
    /// `regularization`, `epochs`).
    #[schema(value_type = Option<Object>)]
    pub hyperparams: Option<serde_json::Map<String, serde_json::Value>>,
    /// Same as `hyperparameters`.
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
    /// Activate the new version (default: only if no version is active).
    pub activate: Option<bool>,
    /// `false` skips training.
    pub retrain_cf: Option<bool>,
    /// Accepted; content features (categories and tags) are computed when served.
    pub regenerate_embeddings: Option<bool>,
}

/// A training that was started (or skipped).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainAccepted {
    /// `started`, or `skipped` when nothing was asked to train.
    pub status: String,
    /// Training run number.
    pub run_id: Option<i64>,
    /// The algorithm.
    pub algorithm: Option<String>,
    /// Its validated parameters.
    #[schema(value_type = BTreeMap<String, String>)]
    pub params: ParamMap,
    /// What happens next.
    pub message: String,
}

/// Validates a training request and starts it.
pub async fn start_training(
    state: &AppState,
    caller: &Caller,
    body: TrainRequest,
    activate_default: Option<bool>,
) -> ApiResult<(StatusCode, Json<TrainAccepted>)> {
    state.auth.require_admin(caller)?;
    if body.retrain_cf == Some(false) {
        return Ok((
            StatusCode::OK,
            Json(TrainAccepted {
                status: "skipped".into(),
                run_id: None,
                algorithm: None,
                params: ParamMap::new(),
                message: "retrain_cf is false: nothing to train; content features are computed \
                          from categories and tags when recommendations are served"
                    .into(),
            }),
        ));
    }
    let (algorithm, algorithm_field) = match (&body.algorithm, &body.model_type) {
        (Some(a), _) => (Some(a.as_str()), "algorithm"),
        (None, Some(m)) => (Some(m.as_str()), "model_type"),
        (None, None) => (None, "algorithm"),
    };
    let (map, prefix) = match (&body.hyperparameters, &body.hyperparams, &body.params) {
        (Some(m), _, _) => (Some(m), "hyperparameters"),
        (None, Some(m), _) => (Some(m), "hyperparams"),
        (None, None, Some(m)) => (Some(m), "params"),
        (None, None, None) => (None, "hyperparameters"),
    };
    let mut pairs = Vec::new();
    for (key, value) in map.into_iter().flatten() {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            other => {
                return Err(ApiError::invalid(
                    format!("{prefix}.{key}"),
                    format!("expected a number, a string or a boolean, found {other}"),
                ));
            }
        };
        pairs.push((key.clone(), text));
    }
    let activate = body.activate.or(activate_default);
    let job = if algorithm.is_none() && pairs.is_empty() {
        // Nothing named: the ranking model that validates best.
        TrainJob::best_ranking(orrery_models::DEFAULT_SEED, activate)
    } else {
        let has_ratings = algorithm.is_none() && state.trainer.has_ratings().await?;
        let params = job_params(algorithm, algorithm_field, &pairs, prefix, has_ratings)?;
        TrainJob::new(params, activate)
    };
    let progress = state.trainer.start(job).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TrainAccepted {
            status: "started".into(),
            run_id: Some(progress.run_id),
            message: format!(
                "training {} in the background: follow it at GET /training/status{}",
                progress.algorithm,
                if body.regenerate_embeddings == Some(true) {
                    "; content features (categories and tags) need no regeneration, they are \
                     read when recommendations are served"
                } else {
                    ""
                }
            ),
            algorithm: Some(progress.algorithm),
            params: progress.params,
        }),
    ))
}

/// Train a model in the background (admin). One at a time: 409 while one runs.
#[utoipa::path(post, path = "/training/train", tag = "training", request_body = TrainRequest,
    security((), ("api_key" = [])),
    responses(
        (status = 200, description = "Nothing to train (retrain_cf is false)", body = TrainAccepted),
        (status = 202, body = TrainAccepted),
        (status = 409, description = "A training is running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown algorithm or an invalid parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn train(
    State(state): State<AppState>,
    caller: Caller,
    OptionalBody(body): OptionalBody<TrainRequest>,
) -> ApiResult<(StatusCode, Json<TrainAccepted>)> {
    start_training(&state, &caller, body, None).await
}

/// Stop the running training (admin): it stops after the epoch or phase under way, is
/// recorded as `cancelled` and stores no version. 409 when nothing runs.
#[utoipa::path(post, path = "/training/cancel", tag = "training",
    security((), ("api_key" = [])),
    responses(
        (status = 202, description = "The run was asked to stop; GET /training/status shows when it has", body = RunProgress),
        (status = 409, description = "No training is running", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<RunProgress>)> {
    state.auth.require_admin(&caller)?;
    let progress = state.trainer.cancel("cancelled by POST /training/cancel")?;
    tracing::info!(run_id = progress.run_id, "training cancel requested");
    Ok((StatusCode::ACCEPTED, Json(progress)))
}

/// Whether a training runs, its progress (phase, epoch, loss, elapsed) and the last result.
#[utoipa::path(get, path = "/training/status", tag = "training", responses((status = 200, body = TrainingStatus)))]
pub async fn status(State(state): State<AppState>) -> ApiResult<Json<TrainingStatus>> {
    Ok(Json(state.trainer.status_or_stored().await?))
}

/// A stored model version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOut {
    /// Version number.
    pub version: i64,
    /// Algorithm.
    pub algorithm: String,
    /// What it serves when active: `ranking` (lists) or `rating` (predicted ratings). One
    /// version of each purpose may be active at once.
    #[schema(example = "ranking")]
    pub purpose: String,
    /// Parameters.
    #[schema(value_type = BTreeMap<String, String>)]
    pub params: ParamMap,
    /// Holdout metrics.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub metrics: MetricMap,
    /// Size of the stored model.
    pub size_bytes: u64,
    /// Users trained on.
    pub n_users: u64,
    /// Items trained on.
    pub n_items: u64,
    /// Interactions (user–item cells) trained on.
    pub n_interactions: u64,
    /// Training time.
    pub train_seconds: f64,
    /// Unix seconds.
    pub created_at: i64,
    /// Whether it is the served version of its purpose.
    pub active: bool,
    /// Pinned versions are never pruned.
    pub pinned: bool,
}

impl From<ModelVersion> for ModelOut {
    fn from(v: ModelVersion) -> ModelOut {
        ModelOut {
            version: v.version,
            algorithm: v.algorithm,
            purpose: v.purpose.as_str().to_owned(),
            params: v.params,
            metrics: v.metrics,
            size_bytes: v.size_bytes,
            n_users: v.n_users,
            n_items: v.n_items,
            n_interactions: v.n_interactions,
            train_seconds: v.train_seconds,
            created_at: v.created_at,
            active: v.active,
            pinned: v.pinned,
        }
    }
}

/// The registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// Versions, newest first.
    pub models: Vec<ModelOut>,
    /// The active version lists are ranked with: the active ranking version, else the
    /// active rating version.
    pub active_version: Option<i64>,
    /// The active rating version (predicted ratings), if any.
    pub rating_version: Option<i64>,
    /// Versions kept (pinned and active ones are never pruned).
    pub keep: usize,
}

/// List the model versions (newest first).
#[utoipa::path(get, path = "/models", tag = "training", responses((status = 200, body = ModelList)))]
pub async fn list_models(State(state): State<AppState>) -> ApiResult<Json<ModelList>> {
    let models: Vec<ModelOut> = state
        .store
        .list_model_versions()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let active = |purpose: &str| {
        models
            .iter()
            .find(|m| m.active && m.purpose == purpose)
            .map(|m| m.version)
    };
    let rating_version = active("rating");
    Ok(Json(ModelList {
        active_version: active("ranking").or(rating_version),
        rating_version,
        models,
        keep: state.config.keep_versions,
    }))
}

/// A version number from a path, 404 naming it when it is not one.
pub fn version_number(text: &str) -> ApiResult<i64> {
    text.trim()
        .trim_start_matches(['v', 'V'])
        .parse()
        .map_err(|_| ApiError::not_found("model version", text))
}

/// Serve a stored version (admin); in-flight requests finish on the old one.
#[utoipa::path(post, path = "/models/{version}/activate", tag = "training",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> ApiResult<Json<Message>> {
    state.auth.require_admin(&caller)?;
    let version = version_number(&version)?;
    activate_version(&state.engine, version).await?;
    Ok(Json(Message::new(format!(
        "model version {version} is active"
    ))))
}

/// Delete a stored version (admin); the active one cannot be deleted (409).
#[utoipa::path(delete, path = "/models/{version}", tag = "training",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses(
        (status = 200, body = Message),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The version is active", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> ApiResult<Json<Message>> {
    state.auth.require_admin(&caller)?;
    let version = version_number(&version)?;
    delete_version(&state.engine, version).await?;
    Ok(Json(Message::new(format!(
        "model version {version} deleted"
    ))))
}

async fn set_pin(
    state: &AppState,
    caller: &Caller,
    version: &str,
    pinned: bool,
) -> ApiResult<Json<Message>> {
    state.auth.require_admin(caller)?;
    let version = version_number(version)?;
    if !state.store.set_model_pinned(version, pinned).await? {
        return Err(ApiError::not_found("model version", version.to_string()));
    }
    let what = if pinned {
        "pinned: it is never pruned"
    } else {
        "unpinned"
    };
    Ok(Json(Message::new(format!(
        "model version {version} {what}"
    ))))
}

/// Pin a version so that pruning keeps it (admin).
#[utoipa::path(post, path = "/models/{version}/pin", tag = "training",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn pin(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> ApiResult<Json<Message>> {
    set_pin(&state, &caller, &version, true).await
}

/// Unpin a version (admin).
#[utoipa::path(delete, path = "/models/{version}/pin", tag = "training",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn unpin(
    State(state): State<AppState>,
    caller: Caller,
    Path(version): Path<String>,
) -> ApiResult<Json<Message>> {
    set_pin(&state, &caller, &version, false).await
}

/// A training run as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunOut {
    /// Run number.
    pub id: i64,
    /// Algorithm.
    pub algorithm: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds.
    pub finished_at: Option<i64>,
    /// The version it stored.
    pub version: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<TrainingRun> for RunOut {
    fn from(r: TrainingRun) -> RunOut {
        RunOut {
            id: r.id,
            algorithm: r.algorithm,
            status: r.status.as_str().to_owned(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            version: r.version,
            error: r.error,
        }
    }
}

/// The served model's metrics and what the store holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsResponse {
    /// The active version.
    pub model_version: Option<i64>,
    /// Its algorithm.
    pub algorithm: Option<String>,
    /// Its parameters.
    #[schema(value_type = BTreeMap<String, String>)]
    pub params: ParamMap,
    /// Its holdout metrics (rmse, mae, precision@10, recall@10, ndcg@10, coverage@10, …).
    #[schema(value_type = BTreeMap<String, f64>)]
    pub metrics: MetricMap,
    /// Unix seconds.
    pub trained_at: Option<i64>,
    /// Users stored.
    pub users: u64,
    /// Items stored.
    pub items: u64,
    /// Interactions stored.
    pub interactions: u64,
    /// Recent training runs, newest first.
    pub training_runs: Vec<RunOut>,
    /// The rating model that answers predictions beside the lists' model, with its
    /// metrics (RMSE, MAE), when one is active.
    pub rating_model: Option<ModelOut>,
}

/// The served model's evaluation metrics and counts of what is stored.
#[utoipa::path(get, path = "/metrics", tag = "training", responses((status = 200, body = MetricsResponse)))]
pub async fn metrics(State(state): State<AppState>) -> ApiResult<Json<MetricsResponse>> {
    let stats = state.store.stats().await?;
    let runs = state.store.training_runs(10).await?;
    // One snapshot, so that the two models shown are the ones served together.
    let snapshot = state.engine.snapshot();
    let model = snapshot.model.clone();
    Ok(Json(MetricsResponse {
        model_version: model.as_ref().map(|m| m.version()),
        algorithm: model.as_ref().map(|m| m.info.algorithm.clone()),
        params: model
            .as_ref()
            .map(|m| m.info.params.clone())
            .unwrap_or_default(),
        metrics: model
            .as_ref()
            .map(|m| m.info.metrics.clone())
            .unwrap_or_default(),
        trained_at: model.as_ref().map(|m| m.info.created_at),
        users: stats.users,
        items: stats.items,
        interactions: stats.interactions,
        training_runs: runs.into_iter().map(Into::into).collect(),
        rating_model: snapshot
            .rating_beside_lists()
            .map(|r| r.info.clone().into()),
    }))
}

/// Options of the metrics history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Newest rows to return (1–10000, default 100).
    pub limit: Option<u32>,
}

/// One evaluated version.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The version (it may since have been deleted).
    pub version: i64,
    /// Its algorithm.
    pub algorithm: String,
    /// Its metrics.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub metrics: MetricMap,
    /// Unix seconds.
    pub recorded_at: i64,
}

/// The metrics of every trained version, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryResponse {
    /// The entries.
    pub history: Vec<HistoryEntry>,
}

/// Metrics of every version ever trained, oldest first.
#[utoipa::path(get, path = "/metrics/history", tag = "training", params(HistoryQuery),
    responses((status = 200, body = HistoryResponse)))]
pub async fn metrics_history(
    State(state): State<AppState>,
    Params(q): Params<HistoryQuery>,
) -> ApiResult<Json<HistoryResponse>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("{limit} is not between 1 and 10000"),
        ));
    }
    let history = state
        .store
        .metrics_history(limit)
        .await?
        .into_iter()
        .map(|r| HistoryEntry {
            version: r.version,
            algorithm: r.algorithm,
            metrics: r.metrics,
            recorded_at: r.recorded_at,
        })
        .collect();
    Ok(Json(HistoryResponse { history }))
}
