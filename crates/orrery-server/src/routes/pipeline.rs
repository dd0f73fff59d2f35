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
///
/// Layer 2 scores objects and is open to all. Layers 3 and 4 hold one row of predicted
/// category scores per user, so they follow the rule of every other per-user route: the
/// admin key (or anyone on a server without one) reads the whole file, a user's token
/// reads the header and that user's own row.
#[utoipa::path(get, path = "/run-layer/{n}/output", tag = "pipeline",
    params(("n" = u8, Path, description = "The layer: 2, 3 or 4")),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "The CSV file; for a user's token, the header and that user's row of layers 3 and 4", content_type = "text/csv", body = String),
        (status = 404, description = "No such layer, or it has not run yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn layer_output(
    State(state): State<AppState>,
    caller: Caller,
    Path(n): Path<String>,
) -> ApiResult<Response> {
    let layer = layer_of(&n)?;
    let only_user = match (&caller, layer) {
        (_, Layer::ObjectLiking) => None,
        (Caller::User(me), _) => Some(me.clone()),
        (caller, _) => {
            state.auth.require_admin(caller)?;
            None
        }
    };
    let path = output_path(&state.config.pipeline, layer);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::not_found("output of layer", n));
        }
        Err(e) => {
            return Err(ApiError::Internal(format!(
                "reading {}: {e}",
                path.display()
            )));
        }
    };
    let bytes = match only_user {
        Some(user_id) => rows_of_user(&bytes, &user_id)
            .map_err(|e| ApiError::Internal(format!("reading {}: {e}", path.display())))?,
        None => bytes,
    };
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(response)
}

/// The header and the rows whose first field (`User_ID`) is `user_id`.
fn rows_of_user(csv_bytes: &[u8], user_id: &str) -> Result<Vec<u8>, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_bytes);
    let mut writer = csv::Writer::from_writer(Vec::new());
    for (index, record) in reader.records().enumerate() {
        let record = record?;
        if index == 0 || record.get(0) == Some(user_id) {
            writer.write_record(&record)?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
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
