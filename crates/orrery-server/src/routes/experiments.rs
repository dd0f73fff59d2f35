//! Online experiments: `POST /experiments` defines one, `POST /experiments/{id}/start`,
//! `/pause` and `/stop` move it through its life, `GET /experiments/{id}` reports each
//! variant's CTR and conversion against the control. Everything here is the operator's:
//! admin only.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use orrery_engine::experiments::{
    self, Experiment, ExperimentAction, ExperimentReport, NewExperiment,
};

use crate::auth::Caller;
use crate::extract::Body;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

use super::users::Message;

/// Define an experiment (admin): two to ten variants, each a share of users and how
/// their lists are made (a model version or algorithm, `cf_weight`, `mmr_lambda`, a rule
/// preset); the first is the control. It starts as a draft.
#[utoipa::path(post, path = "/experiments", tag = "experiments", request_body = NewExperiment,
    security((), ("api_key" = [])),
    responses(
        (status = 201, body = Experiment),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewExperiment>,
) -> ApiResult<(StatusCode, Json<Experiment>)> {
    state.auth.require_admin(&caller)?;
    let created = state.engine.create_experiment(new).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Every experiment, newest first (admin).
#[utoipa::path(get, path = "/experiments", tag = "experiments",
    security((), ("api_key" = [])),
    responses((status = 200, body = Vec<Experiment>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Experiment>>> {
    state.auth.require_admin(&caller)?;
    Ok(Json(experiments::list(state.engine.store()).await?))
}

/// An experiment and its results (admin): per variant, users, lists, CTR and conversion
/// with 95 % intervals, the lift against the control with a two-sided p-value (users as
/// the units), warnings while the sample is too small to decide, and the figures per
/// period for charts.
#[utoipa::path(get, path = "/experiments/{id}", tag = "experiments",
    params(("id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = ExperimentReport),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ExperimentReport>> {
    state.auth.require_admin(&caller)?;
    Ok(Json(experiments::report(state.engine.store(), &id).await?))
}

/// Delete an experiment that is not running (admin); the lists it served keep its id.
#[utoipa::path(delete, path = "/experiments/{id}", tag = "experiments",
    params(("id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = Message),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The experiment is running", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    state.auth.require_admin(&caller)?;
    state.engine.delete_experiment(&id).await?;
    Ok(Json(Message::new(format!("experiment {id:?} is deleted"))))
}

async fn act(state: &AppState, id: &str, action: ExperimentAction) -> ApiResult<Json<Experiment>> {
    Ok(Json(state.engine.change_experiment(id, action).await?))
}

/// Start a draft or paused experiment (admin): users are assigned to its variants from
/// now on, by the same hash on every server. One experiment runs at a time (409).
#[utoipa::path(post, path = "/experiments/{id}/start", tag = "experiments",
    params(("id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = Experiment),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another experiment runs, or this one has stopped", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Experiment>> {
    state.auth.require_admin(&caller)?;
    act(&state, &id, ExperimentAction::Start).await
}

/// Pause a running experiment (admin): users are served as without it until it starts
/// again, in the same variants.
#[utoipa::path(post, path = "/experiments/{id}/pause", tag = "experiments",
    params(("id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = Experiment),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The experiment is not running", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Experiment>> {
    state.auth.require_admin(&caller)?;
    act(&state, &id, ExperimentAction::Pause).await
}

/// Stop an experiment for good (admin); its results stay.
#[utoipa::path(post, path = "/experiments/{id}/stop", tag = "experiments",
    params(("id" = String, Path)),
    security((), ("api_key" = [])),
    responses(
        (status = 200, body = Experiment),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The experiment is a draft or stopped", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Experiment>> {
    state.auth.require_admin(&caller)?;
    act(&state, &id, ExperimentAction::Stop).await
}
