//! Served lists and how they fared: `GET /impressions/metrics` (click-through,
//! conversion and MRR, overall and by position) and `GET /impressions/{id}` (one recorded
//! list). Both are the operator's: admin only.

use axum::Json;
use axum::extract::{Path, State};
use orrery_engine::impressions::{ListMetrics, RecorderStats, Surface, now_ms};
use orrery_store::{Impression, ListFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::Params;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// The period metrics cover unless told otherwise.
const DEFAULT_DAYS: i64 = 7;

/// Which lists to measure.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// Lists served at or after this time (Unix seconds; default: 7 days ago).
    pub since: Option<i64>,
    /// Lists served before this time (Unix seconds; default: now).
    pub until: Option<i64>,
    /// Only lists of this kind.
    #[param(inline)]
    pub surface: Option<Surface>,
    /// Only lists served within this experiment.
    pub experiment: Option<String>,
    /// Only lists of this variant of the experiment.
    pub variant: Option<String>,
}

/// How the served lists of a period fared.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMetricsResponse {
    /// Start of the period (Unix seconds).
    pub since: i64,
    /// End of the period (Unix seconds).
    pub until: i64,
    /// The lists' figures.
    #[serde(flatten)]
    pub metrics: ListMetrics,
    /// What this server recorded since it started (lists dropped when its queue was full).
    pub recorder: RecorderStats,
}

/// Click-through rate, conversion and mean reciprocal rank of the first click of the
/// lists served in a period, overall and by position.
#[utoipa::path(get, path = "/impressions/metrics", tag = "impressions",
    params(MetricsQuery),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = ListMetricsResponse),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn metrics(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<MetricsQuery>,
) -> ApiResult<Json<ListMetricsResponse>> {
    state.auth.require_admin(&caller)?;
    let now = now_ms() / 1_000;
    let until = q.until.unwrap_or(now.saturating_add(1));
    let since = q
        .since
        .unwrap_or(until.saturating_sub(DEFAULT_DAYS * 86_400));
    if since >= until {
        return Err(ApiError::invalid(
            "since",
            format!("{since} is not before until ({until})"),
        ));
    }
    let filter = ListFilter {
        since: since.saturating_mul(1_000),
        until: until.saturating_mul(1_000),
        surface: q.surface.map(|s| s.as_str().to_owned()),
        experiment: q.experiment,
        variant: q.variant,
    };
    let metrics = state.engine.list_metrics(&filter).await?;
    Ok(Json(ListMetricsResponse {
        since,
        until,
        metrics,
        recorder: state.engine.impressions().stats(),
    }))
}

/// One recorded list, by its `recommendation_id` (lists are written in batches: a list
/// served a moment ago may not be there yet).
#[utoipa::path(get, path = "/impressions/{recommendation_id}", tag = "impressions",
    params(("recommendation_id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = Impression),
        (status = 404, description = "No such list (or pruned)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn impression(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Impression>> {
    state.auth.require_admin(&caller)?;
    match state.engine.store().impression(&id).await? {
        Some(list) => Ok(Json(list)),
        None => Err(ApiError::not_found("served list", id)),
    }
}
