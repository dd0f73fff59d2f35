//! The ML Module's routes under `/api/ml/…`, as its seed lists them; each answers like
//! the matching Orrery route.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::auth::Caller;
use crate::extract::{Body, OptionalBody, Params};
use crate::problem::{ApiResult, Problem};
use crate::routes::recommend::{
    self, PredictRequest, PredictResponse, RecommendQuery, RecommendationResponse,
};
use crate::routes::training::{
    self as registry, HistoryQuery, HistoryResponse, MetricsResponse, ModelList, TrainAccepted,
    TrainRequest,
};
use crate::routes::users::Message;
use crate::state::AppState;
use crate::training::TrainingStatus;
use orrery_engine::Explanation;

/// Train a new model (admin); the body is optional (`model_type`, `hyperparams`).
#[utoipa::path(post, path = "/api/ml/train", tag = "ml", request_body = TrainRequest,
    security((), ("api_key" = [])),
    responses((status = 200, description = "Nothing to train (retrain_cf is false)", body = TrainAccepted), (status = 202, body = TrainAccepted), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn train(
    State(state): State<AppState>,
    caller: Caller,
    OptionalBody(body): OptionalBody<TrainRequest>,
) -> ApiResult<(StatusCode, Json<TrainAccepted>)> {
    registry::start_training(&state, &caller, body, None).await
}

/// Retrain on all current data and serve the result (admin).
#[utoipa::path(post, path = "/api/ml/retrain", tag = "ml", request_body = TrainRequest,
    security((), ("api_key" = [])),
    responses((status = 200, description = "Nothing to train (retrain_cf is false)", body = TrainAccepted), (status = 202, body = TrainAccepted), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn retrain(
    State(state): State<AppState>,
    caller: Caller,
    OptionalBody(body): OptionalBody<TrainRequest>,
) -> ApiResult<(StatusCode, Json<TrainAccepted>)> {
    registry::start_training(&state, &caller, body, Some(true)).await
}

/// Training status.
#[utoipa::path(get, path = "/api/ml/training-status", tag = "ml", responses((status = 200, body = TrainingStatus)))]
pub async fn training_status(state: State<AppState>) -> ApiResult<Json<TrainingStatus>> {
    registry::status(state).await
}

/// Recommendations for a user (`?n=`).
#[utoipa::path(get, path = "/api/ml/recommendations/{user_id}", tag = "ml",
    params(("user_id" = String, Path), RecommendQuery),
    security((), ("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RecommendationResponse), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn recommendations(
    state: State<AppState>,
    caller: Caller,
    path: Path<String>,
    query: Params<RecommendQuery>,
) -> ApiResult<axum::response::Response> {
    recommend::recommend_get(state, caller, path, query).await
}

/// Predicted rating for a user and a movie.
#[utoipa::path(post, path = "/api/ml/predict", tag = "ml", request_body = PredictRequest,
    security((), ("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = PredictResponse), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn predict(
    state: State<AppState>,
    caller: Caller,
    body: Body<PredictRequest>,
) -> ApiResult<Json<PredictResponse>> {
    recommend::predict(state, caller, body).await
}

/// Why a movie is recommended to a user.
#[utoipa::path(get, path = "/api/ml/explain/{user_id}/{movie_id}", tag = "ml",
    params(("user_id" = String, Path), ("movie_id" = String, Path)),
    security((), ("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = Explanation), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn explain(
    state: State<AppState>,
    caller: Caller,
    path: Path<(String, String)>,
) -> ApiResult<Json<Explanation>> {
    recommend::explain(state, caller, path).await
}

/// The served model's metrics.
#[utoipa::path(get, path = "/api/ml/metrics", tag = "ml", responses((status = 200, body = MetricsResponse)))]
pub async fn metrics(state: State<AppState>) -> ApiResult<Json<MetricsResponse>> {
    registry::metrics(state).await
}

/// Metrics of every version, oldest first.
#[utoipa::path(get, path = "/api/ml/metrics/history", tag = "ml", params(HistoryQuery),
    responses((status = 200, body = HistoryResponse)))]
pub async fn metrics_history(
    state: State<AppState>,
    query: Params<HistoryQuery>,
) -> ApiResult<Json<HistoryResponse>> {
    registry::metrics_history(state, query).await
}

/// The model versions.
#[utoipa::path(get, path = "/api/ml/models", tag = "ml", responses((status = 200, body = ModelList)))]
pub async fn models(state: State<AppState>) -> ApiResult<Json<ModelList>> {
    registry::list_models(state).await
}

/// Serve a version (admin).
#[utoipa::path(post, path = "/api/ml/models/activate/{version}", tag = "ml",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn activate(
    state: State<AppState>,
    caller: Caller,
    version: Path<String>,
) -> ApiResult<Json<Message>> {
    registry::activate(state, caller, version).await
}

/// Delete a version (admin); never the active one (409).
#[utoipa::path(delete, path = "/api/ml/models/{version}", tag = "ml",
    params(("version" = i64, Path)), security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_model(
    state: State<AppState>,
    caller: Caller,
    version: Path<String>,
) -> ApiResult<Json<Message>> {
    registry::delete_model(state, caller, version).await
}
