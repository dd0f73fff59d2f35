//! The read-only JSON the dashboard needs beyond the rest of the API: what is stored and
//! which text encoder runs (`GET /stats`), interactions per day, training runs with their
//! parameters and outcome, the algorithms and their default parameters (for the training
//! form), a user's interactions with titles, the pipeline's output files, and the serving
//! counters (as JSON and in the Prometheus text format).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use orrery_models::{Algorithm, Params as ModelParams};
use orrery_pipeline::{Layer, output_path};
use orrery_store::{ParamMap, RunStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::Params;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::telemetry::WINDOW_SECONDS;

/// A `YYYY-MM-DD` date of a unix day.
fn date_of_day(day: i64) -> String {
    DateTime::from_timestamp(day.saturating_mul(86_400), 0)
        .map_or_else(|| day.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

fn in_range(field: &str, value: u32, min: u32, max: u32) -> ApiResult<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::invalid(
            field,
            format!("{value} is not between {min} and {max}"),
        ))
    }
}

/// The text encoder that item text goes through.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextEncoderOut {
    /// `all-MiniLM-L6-v2` or `feature-hashing-384`.
    pub name: String,
    /// `mini_lm` or `feature_hashing`.
    pub kind: String,
    /// Whether feature hashing stands in for a model that was not found.
    pub fallback: bool,
    /// Vector length.
    pub dim: usize,
    /// One line: where the model came from, or why the fallback runs.
    pub description: String,
}

/// What is stored, and what processes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResponse {
    /// Users stored.
    pub users: u64,
    /// Users with at least one interaction.
    pub active_users: u64,
    /// Items stored.
    pub items: u64,
    /// Interactions stored.
    pub interactions: u64,
    /// Distinct user–item pairs over users × items.
    pub density: f64,
    /// Mean of the explicit ratings, when there are any.
    pub mean_rating: Option<f64>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The text encoder.
    pub text_encoder: TextEncoderOut,
}

/// Counts of what is stored and the text encoder in use (MiniLM, or the feature-hashing
/// fallback and why).
#[utoipa::path(get, path = "/stats", tag = "dashboard", responses((status = 200, body = StatsResponse)))]
pub async fn stats(State(state): State<AppState>) -> ApiResult<Json<StatsResponse>> {
    let stats = state.store.stats().await?;
    let encoder = state.engine.encoder().await;
    let info = encoder.info();
    Ok(Json(StatsResponse {
        users: stats.users,
        active_users: stats.active_users,
        items: stats.items,
        interactions: stats.interactions,
        density: stats.density,
        mean_rating: stats.mean_rating,
        backend: state.store.backend().to_string(),
        text_encoder: TextEncoderOut {
            name: info.name.to_owned(),
            kind: serde_json::to_value(info.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            fallback: info.fallback,
            dim: info.dim,
            description: encoder.describe(),
        },
    }))
}

/// Options of the interactions-per-day chart.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// Days to cover, ending with the day of the newest interaction (1–3650, default 60).
    pub days: Option<u32>,
}

/// One day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayOut {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Days since 1970-01-01.
    pub day: i64,
    /// Interactions that day.
    pub count: u64,
}

/// Interactions per day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityResponse {
    /// Every day of the window, oldest first, days without interactions included (empty
    /// when nothing is stored).
    pub days: Vec<DayOut>,
    /// Interactions in the window.
    pub total: u64,
}

/// Interactions per UTC day over the days that end with the newest interaction (so an
/// imported dataset charts its own last weeks).
#[utoipa::path(get, path = "/stats/interactions-per-day", tag = "dashboard", params(DaysQuery),
    responses(
        (status = 200, body = ActivityResponse),
        (status = 422, description = "days out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn interactions_per_day(
    State(state): State<AppState>,
    Params(q): Params<DaysQuery>,
) -> ApiResult<Json<ActivityResponse>> {
    let days = in_range("days", q.days.unwrap_or(60), 1, 3650)?;
    let counts = state.store.interactions_per_day(days).await?;
    let Some(last) = counts.last().map(|d| d.day) else {
        return Ok(Json(ActivityResponse {
            days: Vec::new(),
            total: 0,
        }));
    };
    let first = last - i64::from(days) + 1;
    let mut stored = counts.iter().peekable();
    let mut out = Vec::with_capacity(days as usize);
    for day in first..=last {
        let count = match stored.peek() {
            Some(d) if d.day == day => stored.next().map_or(0, |d| d.count),
            _ => 0,
        };
        out.push(DayOut {
            date: date_of_day(day),
            day,
            count,
        });
    }
    Ok(Json(ActivityResponse {
        total: out.iter().map(|d| d.count).sum(),
        days: out,
    }))
}

/// Options of the run history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Newest runs to return (1–1000, default 50).
    pub limit: Option<u32>,
}

/// A training run and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunRecord {
    /// Run number.
    pub id: i64,
    /// Algorithm.
    pub algorithm: String,
    /// Parameters asked for.
    #[schema(value_type = BTreeMap<String, String>)]
    pub params: ParamMap,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds.
    pub finished_at: Option<i64>,
    /// Seconds from start to end (so far, while running).
    pub duration_seconds: Option<i64>,
    /// The version it stored.
    pub version: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Training runs, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunsResponse {
    /// The runs.
    pub runs: Vec<RunRecord>,
}

/// Every recorded training run with its parameters and outcome, newest first.
#[utoipa::path(get, path = "/training/runs", tag = "dashboard", params(RunsQuery),
    responses(
        (status = 200, body = RunsResponse),
        (status = 422, description = "limit out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn training_runs(
    State(state): State<AppState>,
    Params(q): Params<RunsQuery>,
) -> ApiResult<Json<RunsResponse>> {
    let limit = in_range("limit", q.limit.unwrap_or(50), 1, 1000)?;
    let now = crate::training::unix_now();
    let runs = state
        .store
        .training_runs(limit)
        .await?
        .into_iter()
        .map(|r| RunRecord {
            duration_seconds: match (r.status, r.finished_at) {
                (_, Some(end)) => Some(end - r.started_at),
                (RunStatus::Running, None) => Some(now - r.started_at),
                _ => None,
            },
            id: r.id,
            algorithm: r.algorithm,
            params: r.params,
            status: r.status.as_str().to_owned(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            version: r.version,
            error: r.error,
        })
        .collect();
    Ok(Json(RunsResponse { runs }))
}

/// A parameter and its default.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParamOut {
    /// The name to send in `hyperparameters`.
    pub name: String,
    /// Its default value, as text.
    pub default: String,
}

/// An algorithm that `POST /training/train` accepts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmOut {
    /// Its name.
    pub name: String,
    /// Whether it predicts explicit ratings (RMSE and MAE apply).
    pub predicts_ratings: bool,
    /// Its parameters with their defaults.
    pub params: Vec<ParamOut>,
}

/// What the form offers when no algorithm is named: the best ranking model.
const AUTO: &str = "auto";

/// The algorithms.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlgorithmsResponse {
    /// `auto` first (no parameters: `POST /training/train` without an algorithm trains
    /// the best of als, ease and itemknn by NDCG@10 on a held-out split of the store), then
    /// every algorithm in documentation order.
    pub algorithms: Vec<AlgorithmOut>,
    /// What the form starts on: `auto`, what training with nothing named does.
    pub default: String,
}

/// The algorithms and their parameters with defaults (what the training form offers; the
/// training route validates every value).
#[utoipa::path(get, path = "/training/algorithms", tag = "dashboard",
    responses((status = 200, body = AlgorithmsResponse)))]
pub async fn algorithms() -> ApiResult<Json<AlgorithmsResponse>> {
    let auto = AlgorithmOut {
        name: AUTO.to_owned(),
        predicts_ratings: false,
        params: Vec::new(),
    };
    let algorithms = std::iter::once(auto)
        .chain(Algorithm::ALL.into_iter().map(|a| {
            AlgorithmOut {
                name: a.name().to_owned(),
                predicts_ratings: a.predicts_ratings(),
                params: ModelParams::defaults(a)
                    .pairs()
                    .into_iter()
                    .map(|(name, default)| ParamOut {
                        name: name.to_owned(),
                        default,
                    })
                    .collect(),
            }
        }))
        .collect();
    Ok(Json(AlgorithmsResponse {
        algorithms,
        default: AUTO.to_owned(),
    }))
}

/// One stored interaction of a user.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    /// The item.
    pub item_id: String,
    /// Its title (empty when the catalog no longer has it).
    pub title: String,
    /// `rating`, `like`, `view`, …
    pub kind: String,
    /// The rating, count or seconds.
    pub value: f32,
    /// Unix seconds.
    pub ts: i64,
}

/// A user's interactions.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserHistory {
    /// The user.
    pub user_id: String,
    /// Interactions stored.
    pub total: usize,
    /// The newest ones, newest first.
    pub interactions: Vec<HistoryItem>,
}

/// Options of a user's history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserHistoryQuery {
    /// Newest interactions to return (1–1000, default 50).
    pub limit: Option<u32>,
}

/// A user's interactions with item titles, newest first (the user's token or the admin
/// key when one is configured).
#[utoipa::path(get, path = "/users/{user_id}/interactions", tag = "dashboard",
    params(("user_id" = String, Path), UserHistoryQuery),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = UserHistory),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn user_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    Params(q): Params<UserHistoryQuery>,
) -> ApiResult<Json<UserHistory>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    let limit = in_range("limit", q.limit.unwrap_or(50), 1, 1000)? as usize;
    let Some(events) = state.store.user_interactions(&user_id).await? else {
        return Err(ApiError::not_found("user", user_id));
    };
    let catalog = state.engine.snapshot().catalog.clone();
    let total = events.len();
    let interactions = events
        .into_iter()
        .rev()
        .take(limit)
        .map(|e| HistoryItem {
            title: catalog
                .get(&e.item)
                .and_then(|idx| catalog.item(idx))
                .map(|item| item.record.title.clone())
                .unwrap_or_default(),
            item_id: e.item,
            kind: e.kind.to_string(),
            value: e.value,
            ts: e.ts,
        })
        .collect();
    Ok(Json(UserHistory {
        user_id,
        total,
        interactions,
    }))
}

/// The latest output of one pipeline layer.
#[derive(Debug, Serialize, ToSchema)]
pub struct LayerOutput {
    /// 2, 3 or 4.
    pub layer: u8,
    /// The file name.
    pub file: String,
    /// Whether the layer has run (its file exists).
    pub exists: bool,
    /// Unix seconds of the last write.
    pub modified_at: Option<i64>,
    /// File size.
    pub size_bytes: Option<u64>,
    /// Data rows (lines after the header).
    pub rows: Option<u64>,
    /// The header's columns.
    pub columns: Vec<String>,
    /// Where to download it.
    pub url: String,
}

/// The pipeline's outputs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineOutputs {
    /// The folder the layers write to.
    pub out_dir: String,
    /// Layers 2, 3 and 4.
    pub layers: Vec<LayerOutput>,
}

/// The latest file of each Poppy Universe pipeline layer: when it was written, its size,
/// rows and columns, and its download link.
#[utoipa::path(get, path = "/pipeline/outputs", tag = "dashboard",
    responses((status = 200, body = PipelineOutputs)))]
pub async fn pipeline_outputs(State(state): State<AppState>) -> ApiResult<Json<PipelineOutputs>> {
    let config = state.config.pipeline.clone();
    let layers = tokio::task::spawn_blocking(move || {
        Layer::ALL
            .into_iter()
            .map(|layer| describe_output(layer, &output_path(&config, layer)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("reading the pipeline outputs: {e}")))?;
    Ok(Json(PipelineOutputs {
        out_dir: state.config.pipeline.out_dir.display().to_string(),
        layers,
    }))
}

fn describe_output(layer: Layer, path: &std::path::Path) -> LayerOutput {
    use std::io::{BufRead, BufReader};
    let mut out = LayerOutput {
        layer: layer.number(),
        file: layer.file_name().to_owned(),
        exists: false,
        modified_at: None,
        size_bytes: None,
        rows: None,
        columns: Vec::new(),
        url: format!("/run-layer/{}/output", layer.number()),
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return out;
    };
    out.exists = true;
    out.size_bytes = Some(meta.len());
    out.modified_at = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    if let Ok(file) = std::fs::File::open(path) {
        let mut lines = BufReader::new(file).lines();
        if let Some(Ok(header)) = lines.next() {
            out.columns = header.split(',').map(|c| c.trim().to_owned()).collect();
            out.rows = Some(
                lines
                    .map_while(Result::ok)
                    .filter(|l| !l.is_empty())
                    .count() as u64,
            );
        }
    }
    out
}

/// Options of the serving chart.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServingQuery {
    /// Minutes to cover, ending now (1–10, default 10).
    pub minutes: Option<u32>,
    /// Seconds per point (1–600, default 10).
    pub step: Option<u32>,
}

/// The recommendation routes over one interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServingInterval {
    /// Unix second the interval starts at.
    pub start: u64,
    /// Requests answered.
    pub requests: u64,
    /// Requests per second over the interval.
    pub requests_per_second: f64,
    /// Answers with a 5xx status.
    pub errors: u64,
    /// Median latency in milliseconds (absent without requests).
    pub p50_ms: Option<f64>,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: Option<f64>,
}

/// One route since the server started.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServingRoute {
    /// HTTP method.
    pub method: String,
    /// The route as registered, e.g. `/recommendations/{user_id}`.
    pub route: String,
    /// Requests answered.
    pub requests: u64,
    /// Answers with a 5xx status.
    pub errors: u64,
    /// Mean latency in milliseconds.
    pub mean_ms: Option<f64>,
    /// Whether it counts as a recommendation route in `intervals`.
    pub recommendation: bool,
}

/// Serving counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServingStats {
    /// Seconds per interval.
    pub step_seconds: u64,
    /// The recommendation routes (lists, cold start, similar items, predictions,
    /// explanations) per interval, oldest first, ending now.
    pub intervals: Vec<ServingInterval>,
    /// Every route since the start, busiest first.
    pub routes: Vec<ServingRoute>,
    /// Seconds since the server started.
    pub uptime_seconds: f64,
}

/// Requests per second and p50/p99 latency of the recommendation routes over the last
/// minutes (this server's own counters), and per-route totals since the start.
#[utoipa::path(get, path = "/metrics/serving", tag = "dashboard", params(ServingQuery),
    responses(
        (status = 200, body = ServingStats),
        (status = 422, description = "minutes or step out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn serving(
    State(state): State<AppState>,
    Params(q): Params<ServingQuery>,
) -> ApiResult<Json<ServingStats>> {
    let minutes = in_range(
        "minutes",
        q.minutes.unwrap_or(10),
        1,
        (WINDOW_SECONDS / 60) as u32,
    )?;
    let step = u64::from(in_range("step", q.step.unwrap_or(10), 1, 600)?);
    let ms = |s: Option<f64>| s.map(|s| s * 1e3);
    let intervals = state
        .telemetry
        .recent(u64::from(minutes) * 60, step)
        .into_iter()
        .map(|i| ServingInterval {
            start: i.start,
            requests: i.requests,
            requests_per_second: i.requests as f64 / step as f64,
            errors: i.errors,
            p50_ms: ms(i.p50),
            p99_ms: ms(i.p99),
        })
        .collect();
    let routes = state
        .telemetry
        .route_totals()
        .into_iter()
        .map(|r| ServingRoute {
            method: r.method,
            route: r.route,
            requests: r.requests,
            errors: r.errors,
            mean_ms: ms(r.mean_seconds),
            recommendation: r.recommendation,
        })
        .collect();
    Ok(Json(ServingStats {
        step_seconds: step,
        intervals,
        routes,
        uptime_seconds: state.started.elapsed().as_secs_f64(),
    }))
}

/// The recommendation flow: its stages, candidates per source, rule presets, and whether
/// lists come from scoring every item or from graph indexes (with the model index's
/// measured recall).
#[utoipa::path(get, path = "/flow", tag = "dashboard",
    responses((status = 200, body = orrery_engine::flow::FlowStatus)))]
pub async fn flow(State(state): State<AppState>) -> Json<orrery_engine::flow::FlowStatus> {
    Json(state.engine.flow_status())
}

/// Request counters and latency histograms per route, in the Prometheus text format.
#[utoipa::path(get, path = "/metrics/prometheus", tag = "dashboard",
    responses((status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String)))]
pub async fn prometheus(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.telemetry.prometheus(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_dates() {
        assert_eq!(date_of_day(0), "1970-01-01");
        assert_eq!(date_of_day(10_227), "1998-01-01");
    }
}
