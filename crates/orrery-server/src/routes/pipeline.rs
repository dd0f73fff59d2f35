//! The Poppy Universe pipeline over HTTP, as its Node.js backend calls it: `POST
//! /run-layer/{n}` runs layer 2, 3 or 4 (admin key when one is configured) and answers the
//! run report; `GET /run-layer/{n}/output` returns the layer's latest CSV file.
//!
//! The layer runs in `orrery-pipeline`, which reads the store here and does the CPU work
//! on a blocking thread, so requests keep being served meanwhile.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use orrery_pipeline::{Error as PipelineError, Layer, RunReport, output_path};

use crate::auth::Caller;
use crate::problem::{ApiError, ApiResult, Problem, error_chain};
use crate::state::AppState;

/// Run one layer of the Poppy Universe pipeline (admin) and write its CSV file.
///
/// The data is the store's interactions on celestial items when there are enough of them,
/// else a fresh seeded simulation; the answer says which and why.
#[utoipa::path(post, path = "/run-layer/{n}", tag = "pipeline",
    params(("n" = u8, Path, description = "The layer: 2 (object liking scores), 3 (category matrix factorization) or 4 (the tanh network)")),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = RunReport),
        (status = 404, description = "No such layer", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The source is set to the store and it holds too little celestial data", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Layer 4's model is not in this build", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_layer(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<String>,
) -> ApiResult<Json<RunReport>> {
    state.auth.require_admin(&caller)?;
    let layer = layer_of(&n)?;
    let report = orrery_pipeline::run(&state.store, layer, &state.config.pipeline)
        .await
        .map_err(api_error)?;
    Ok(Json(report))
}

/// The latest CSV file of a layer, as `text/csv`.
#[utoipa::path(get, path = "/run-layer/{n}/output", tag = "pipeline",
    params(("n" = u8, Path, description = "The layer: 2, 3 or 4")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 404, description = "No such layer, or it has not run yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn layer_output(
    State(state): State<AppState>,
    Path(n): Path<String>,
) -> ApiResult<Response> {
    let layer = layer_of(&n)?;
    let path = output_path(&state.config.pipeline, layer);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            Ok(response)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(ApiError::not_found("output of layer", n))
        }
        Err(e) => Err(ApiError::Internal(format!(
            "reading {}: {e}",
            path.display()
        ))),
    }
}

fn layer_of(n: &str) -> ApiResult<Layer> {
    n.parse().map_err(|_| ApiError::not_found("layer", n))
}

fn api_error(error: PipelineError) -> ApiError {
    match &error {
        PipelineError::UnknownLayer(n) => ApiError::not_found("layer", n.clone()),
        PipelineError::NotEnoughData { .. } | PipelineError::NoData { .. } => {
            ApiError::Conflict(error.to_string())
        }
        _ => ApiError::Internal(error_chain(&error)),
    }
}
