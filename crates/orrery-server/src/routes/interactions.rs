//! Interactions in: `POST /interactions` (one or a batch, any kind), `POST /ratings/`
//! (Neural Recommendation's bulk ratings), `POST /recommendations/interact` and
//! `POST /recommendations/feedback` (Dummi AI). Each is stored and reflected in the user's
//! very next recommendations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use orrery_core::{EventKind, InteractionRecord, RatingScale};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::extract::{Body, OneOrMany};
use crate::ids;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::training::unix_now;

/// One interaction. `item_id`, `content_id` and `movie_id` all name the item.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InteractionIn {
    /// The user (a number means the same id).
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// The item.
    #[serde(alias = "content_id", alias = "movie_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub item_id: String,
    /// `view`, `click`, `like`, `favorite`, `skip`, `view_time`, `rating`, `strength`,
    /// `play`, `purchase`, or a custom name.
    #[serde(alias = "type", alias = "interaction_type", alias = "event")]
    pub kind: String,
    /// The rating (1–5), strength, seconds or count, depending on the kind.
    pub value: Option<f32>,
    /// The rating, for `rating` events.
    pub rating: Option<f32>,
    /// Seconds spent, for `view_time` events.
    pub duration_seconds: Option<f32>,
    /// Unix seconds (default: now).
    pub timestamp: Option<i64>,
    /// The `recommendation_id` of the served list that showed the item, when the client
    /// has it: the interaction counts as that list's outcome (without it, the user's
    /// latest list showing the item within the attribution window is credited).
    #[serde(default)]
    pub recommendation_id: Option<String>,
}

/// An interaction as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InteractionOut {
    /// The user.
    pub user_id: String,
    /// The item.
    pub item_id: String,
    /// Its kind.
    pub kind: String,
    /// Its value.
    pub value: f32,
    /// Unix seconds.
    pub timestamp: i64,
}

impl From<&InteractionRecord> for InteractionOut {
    fn from(r: &InteractionRecord) -> InteractionOut {
        InteractionOut {
            user_id: r.user.clone(),
            item_id: r.item.clone(),
            kind: r.kind.to_string(),
            value: r.value,
            timestamp: r.ts,
        }
    }
}

/// What a batch stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stored {
    /// New interactions stored.
    pub stored: u64,
    /// Interactions already stored (same user, item, kind and second), skipped.
    pub duplicates: u64,
    /// The interactions as received.
    pub interactions: Vec<InteractionOut>,
}

/// A rating must lie on `scale`: the one kept with the stored data (see
/// [`orrery_engine::Engine::accepted_rating_scale`]).
fn check_rating(field: &str, rating: f32, scale: &RatingScale) -> ApiResult<()> {
    match scale.refusal(rating) {
        None => Ok(()),
        Some(reason) => Err(ApiError::invalid(field, reason)),
    }
}

fn check_timestamp(field: &str, ts: i64) -> ApiResult<()> {
    // 0001-01-01 .. 9999-12-31: anything else is a unit mistake (milliseconds, …).
    if (-62_135_596_800..=253_402_300_799).contains(&ts) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("{ts} is not a time in Unix seconds"),
        ))
    }
}

/// The record of one interaction, checked; `at` prefixes the field names of errors.
fn to_record(
    i: &InteractionIn,
    at: &str,
    now: i64,
    scale: &RatingScale,
) -> ApiResult<InteractionRecord> {
    let field = |name: &str| format!("{at}{name}");
    let kind: EventKind = i
        .kind
        .parse()
        .map_err(|e: orrery_core::Error| ApiError::invalid(field("kind"), e.to_string()))?;
    let value = match kind {
        EventKind::Rating | EventKind::Strength => {
            let (name, v) = match (i.rating, i.value) {
                (Some(r), _) => ("rating", r),
                (None, Some(v)) => ("value", v),
                (None, None) => {
                    return Err(ApiError::invalid(
                        field("rating"),
                        format!("a {kind} needs a rating"),
                    ));
                }
            };
            // Strengths keep the five-star scale whatever the ratings' scale is.
            let scale = if kind == EventKind::Rating {
                scale
            } else {
                &RatingScale::STARS
            };
            check_rating(&field(name), v, scale)?;
            v
        }
        // Any other kind may say how long the user spent on the item (a click after two
        // minutes of reading): the duration is its stored value, weighed by the kind's rule.
        _ if i.duration_seconds.is_some() || kind == EventKind::ViewTime => {
            let v = i.duration_seconds.or(i.value).unwrap_or(0.0);
            if !v.is_finite() || v < 0.0 {
                return Err(ApiError::invalid(
                    field("duration_seconds"),
                    format!("{v} is not a duration in seconds"),
                ));
            }
            v
        }
        _ => {
            let v = i.value.unwrap_or(0.0);
            if !v.is_finite() {
                return Err(ApiError::invalid(
                    field("value"),
                    "the value must be a finite number",
                ));
            }
            v
        }
    };
    let ts = i.timestamp.unwrap_or(now);
    check_timestamp(&field("timestamp"), ts)?;
    Ok(InteractionRecord {
        user: i.user_id.clone(),
        item: i.item_id.clone(),
        kind,
        value,
        ts,
    })
}

/// A `recommendation_id` must look like one this server hands out (hex digits).
fn check_list_id(field: &str, id: &Option<String>) -> ApiResult<Option<String>> {
    match id {
        Some(id)
            if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Err(ApiError::invalid(
                field,
                format!("{id:?} is not a recommendation_id (hex digits, as answers carry them)"),
            ))
        }
        Some(id) => Ok(Some(id.to_ascii_lowercase())),
        None => Ok(None),
    }
}

async fn record(
    state: &AppState,
    caller: &Caller,
    records: &[InteractionRecord],
    lists: &[Option<String>],
) -> ApiResult<u64> {
    if records.is_empty() {
        return Err(ApiError::Unprocessable {
            detail: "the batch is empty: send at least one interaction".into(),
            field: None,
        });
    }
    for r in records {
        state.auth.require_acting_for(caller, &r.user)?;
    }
    Ok(state.engine.record_interactions(records, lists).await?)
}

/// Store one interaction or a batch (a JSON array), for the caller's own user or, with
/// the admin key, anyone.
#[utoipa::path(post, path = "/interactions", tag = "interactions",
    request_body(content = Vec<InteractionIn>, description = "One interaction, or an array of them"),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, body = Stored),
        (status = 404, description = "A user or item does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_interactions(
    State(state): State<AppState>,
    caller: Caller,
    OneOrMany(batch): OneOrMany<InteractionIn>,
) -> ApiResult<(StatusCode, Json<Stored>)> {
    let scale = state.engine.accepted_rating_scale();
    let now = unix_now();
    let prefix = |i: usize| {
        if batch.len() > 1 {
            format!("[{i}].")
        } else {
            String::new()
        }
    };
    let records = batch
        .iter()
        .enumerate()
        .map(|(i, one)| to_record(one, &prefix(i), now, &scale))
        .collect::<ApiResult<Vec<_>>>()?;
    let lists = batch
        .iter()
        .enumerate()
        .map(|(i, one)| {
            check_list_id(
                &format!("{}recommendation_id", prefix(i)),
                &one.recommendation_id,
            )
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let stored = record(&state, &caller, &records, &lists).await?;
    Ok((
        StatusCode::CREATED,
        Json(Stored {
            stored,
            duplicates: records.len() as u64 - stored,
            interactions: records.iter().map(Into::into).collect(),
        }),
    ))
}

/// One rating.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RatingIn {
    /// The user.
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// The movie (or any item).
    #[serde(alias = "item_id", alias = "content_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub movie_id: String,
    /// On the stored data's rating scale (0.5 to 5 unless an import kept another).
    pub rating: f32,
    /// Unix seconds (default: now).
    pub timestamp: Option<i64>,
    /// The `recommendation_id` of the served list that showed the item, when the client
    /// has it: the interaction counts as that list's outcome (without it, the user's
    /// latest list showing the item within the attribution window is credited).
    #[serde(default)]
    pub recommendation_id: Option<String>,
}

/// A rating as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingPublic {
    /// The user.
    pub user_id: String,
    /// The movie.
    pub movie_id: String,
    /// The rating.
    pub rating: f32,
    /// Unix seconds.
    pub timestamp: i64,
}

/// Store ratings in bulk.
#[utoipa::path(post, path = "/ratings", tag = "interactions", request_body = Vec<RatingIn>,
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, body = Vec<RatingPublic>),
        (status = 404, description = "A user or movie does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rating is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_ratings(
    State(state): State<AppState>,
    caller: Caller,
    Body(ratings): Body<Vec<RatingIn>>,
) -> ApiResult<(StatusCode, Json<Vec<RatingPublic>>)> {
    let now = unix_now();
    let scale = state.engine.accepted_rating_scale();
    let mut records = Vec::with_capacity(ratings.len());
    let mut lists = Vec::with_capacity(ratings.len());
    for (i, r) in ratings.iter().enumerate() {
        check_rating(&format!("[{i}].rating"), r.rating, &scale)?;
        lists.push(check_list_id(
            &format!("[{i}].recommendation_id"),
            &r.recommendation_id,
        )?);
        let ts = r.timestamp.unwrap_or(now);
        check_timestamp(&format!("[{i}].timestamp"), ts)?;
        records.push(InteractionRecord {
            user: r.user_id.clone(),
            item: r.movie_id.clone(),
            kind: EventKind::Rating,
            value: r.rating,
            ts,
        });
    }
    record(&state, &caller, &records, &lists).await?;
    let out = records
        .iter()
        .map(|r| RatingPublic {
            user_id: r.user.clone(),
            movie_id: r.item.clone(),
            rating: r.value,
            timestamp: r.ts,
        })
        .collect();
    Ok((StatusCode::CREATED, Json(out)))
}

/// An interaction sent to `POST /recommendations/interact`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InteractRequest {
    /// The user.
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// The content.
    #[serde(alias = "item_id", alias = "movie_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub content_id: String,
    /// `click`, `like`, `skip`, `view` or `view_time`.
    pub interaction_type: String,
    /// Seconds spent on the item (any kind; stored as the interaction's value).
    pub duration_seconds: Option<f32>,
    /// The `recommendation_id` of the served list that showed the item, when the client
    /// has it: the interaction counts as that list's outcome (without it, the user's
    /// latest list showing the item within the attribution window is credited).
    #[serde(default)]
    pub recommendation_id: Option<String>,
}

/// What was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    /// `recorded`, or `duplicate` when the same event was already stored this second.
    pub status: String,
    /// The interaction as stored.
    pub interaction: InteractionOut,
}

/// Record an interaction (a like, click, view time, skip…) of a user with an item.
#[utoipa::path(post, path = "/recommendations/interact", tag = "interactions", request_body = InteractRequest,
    security((), ("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = Recorded), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn interact(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<InteractRequest>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let kind = body.interaction_type.trim().to_ascii_lowercase();
    if !["click", "like", "skip", "view", "view_time"].contains(&kind.as_str()) {
        return Err(ApiError::invalid(
            "interaction_type",
            format!("{kind:?} is not one of click, like, skip, view, view_time"),
        ));
    }
    let one = InteractionIn {
        user_id: body.user_id,
        item_id: body.content_id,
        kind,
        value: None,
        rating: None,
        duration_seconds: body.duration_seconds,
        timestamp: None,
        recommendation_id: None,
    };
    let r = to_record(&one, "", unix_now(), &state.engine.accepted_rating_scale())?;
    let list = check_list_id("recommendation_id", &body.recommendation_id)?;
    let stored = record(&state, &caller, std::slice::from_ref(&r), &[list]).await?;
    Ok((
        StatusCode::CREATED,
        Json(Recorded {
            status: if stored > 0 { "recorded" } else { "duplicate" }.into(),
            interaction: (&r).into(),
        }),
    ))
}

/// Feedback on an item: positive, negative or neutral.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FeedbackRequest {
    /// The user.
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// The content.
    #[serde(alias = "item_id", alias = "movie_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub content_id: String,
    /// `positive` (stored as a like, weight 5), `negative` (a skip, −1) or `neutral` (a
    /// view, 1).
    pub feedback_type: FeedbackType,
    /// The `recommendation_id` of the served list that showed the item, when the client
    /// has it: the interaction counts as that list's outcome (without it, the user's
    /// latest list showing the item within the attribution window is credited).
    #[serde(default)]
    pub recommendation_id: Option<String>,
}

/// Kinds of feedback.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FeedbackType {
    /// Stored as `like`.
    Positive,
    /// Stored as `skip`.
    Negative,
    /// Stored as `view`.
    Neutral,
}

/// What feedback was stored as.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackRecorded {
    /// `recorded` or `duplicate`.
    pub status: String,
    /// The feedback given.
    pub feedback_type: FeedbackType,
    /// The interaction it was stored as.
    pub interaction: InteractionOut,
}

/// Give feedback: positive → like, negative → skip, neutral → view.
#[utoipa::path(post, path = "/recommendations/feedback", tag = "interactions", request_body = FeedbackRequest,
    security((), ("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = FeedbackRecorded), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<FeedbackRequest>,
) -> ApiResult<(StatusCode, Json<FeedbackRecorded>)> {
    let kind = match body.feedback_type {
        FeedbackType::Positive => EventKind::Like,
        FeedbackType::Negative => EventKind::Skip,
        FeedbackType::Neutral => EventKind::View,
    };
    let r = InteractionRecord {
        user: body.user_id,
        item: body.content_id,
        kind,
        value: 0.0,
        ts: unix_now(),
    };
    let list = check_list_id("recommendation_id", &body.recommendation_id)?;
    let stored = record(&state, &caller, std::slice::from_ref(&r), &[list]).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackRecorded {
            status: if stored > 0 { "recorded" } else { "duplicate" }.into(),
            feedback_type: body.feedback_type,
            interaction: (&r).into(),
        }),
    ))
}
