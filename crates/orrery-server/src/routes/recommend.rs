//! Recommendations out: Dummi AI's `POST /recommendations/`, `GET
//! /recommendations/{user_id}`, Neural Recommendation's cold start and onboarding, similar
//! items, predictions and explanations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderName;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::{Body, Params};
use crate::ids;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use orrery_engine::cache::Lookup;
use orrery_engine::flow::EXPLORATION;
use orrery_engine::flow::rules::RuleText;
use orrery_engine::impressions::{ServedList, Surface};
use orrery_engine::{
    ColdStartProfile, Explanation, Method, Prediction, RankedItem, RecommendOptions,
    Recommendations, SimilarBy, SimilarUsers, SimilarityBasis,
};

/// The largest list a request may ask for.
pub const MAX_N: usize = 500;

/// Why an item is on the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Because {
    /// An item the user liked.
    pub item_id: String,
    /// Its title.
    pub title: String,
    /// How similar it is to the recommended one (cosine).
    pub similarity: f32,
}

/// One recommended item. `content_id`, `movie_id` and `item_id` are the same id, so each
/// client finds the name it knows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendedItem {
    /// The item.
    pub item_id: String,
    /// The item (its name under `/content`).
    pub content_id: String,
    /// The item (its name under `/movies` and `/api/ml`).
    pub movie_id: String,
    /// Title.
    pub title: String,
    /// The first category.
    pub category: Option<String>,
    /// Every category value (genres for movies).
    pub genres: Vec<String>,
    /// The score, higher is better.
    pub score: f32,
    /// Which signals produced this item: `hybrid` (collaborative filtering and content),
    /// `collaborative`, `content` (e.g. an item too new for the model), `cold_start`
    /// (interests and popular items of the user's categories) or `popularity`.
    pub method: Method,
    /// Normalized collaborative score, when a model scored the item.
    pub collaborative_score: Option<f32>,
    /// Normalized content score (text embeddings, or categories and tags while items are
    /// being embedded), when there is a profile.
    pub content_score: Option<f32>,
    /// Popularity in [0, 1].
    pub popularity: f32,
    /// Why this item, in one sentence.
    pub explanation: String,
    /// Categories and tags of the item that the user likes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
    /// The liked item it most resembles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<Because>,
    /// Which of the recommendation flow's sources proposed the item: `model` (the active
    /// model's best items), `neighbours` (items near what the user liked last),
    /// `content` (closest to the user's content profile), `popular`, `pinned` (by the
    /// list's rules), `exploration` (the exploration slot's new item).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<&'static str>,
    /// The product of the boosts of the request's rules that matched the item (absent
    /// when none did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boost: Option<f32>,
}

fn item_out(item: RankedItem) -> RecommendedItem {
    let RankedItem {
        record,
        score,
        collaborative,
        content,
        popularity,
        matched,
        because,
        method,
        sources,
        boost,
        explanation,
    } = item;
    RecommendedItem {
        content_id: record.id.clone(),
        movie_id: record.id.clone(),
        item_id: record.id,
        title: record.title,
        category: record.categories.first().map(|c| c.value.clone()),
        genres: record.categories.into_iter().map(|c| c.value).collect(),
        score,
        method,
        collaborative_score: collaborative,
        content_score: content,
        popularity,
        explanation,
        matched,
        because: because.map(|(item_id, title, similarity)| Because {
            item_id,
            title,
            similarity,
        }),
        sources,
        boost: (boost != 1.0).then_some(boost),
    }
}

/// A recommendation list.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationResponse {
    /// The id this list is recorded under: send it back with the interactions it leads
    /// to (`recommendation_id`), so that they count as its outcomes. Absent when the
    /// server records no lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<String>,
    /// The user (absent for cold-start requests without one).
    pub user_id: Option<String>,
    /// The items, best first.
    pub recommendations: Vec<RecommendedItem>,
    /// How the list was made.
    pub method: Method,
    /// Why, in one sentence.
    pub explanation: String,
    /// The user's stored interactions (onboarding ratings for cold start).
    pub interactions: usize,
    /// Weight of collaborative filtering in hybrid lists.
    pub cf_weight: f32,
    /// The model version used, if any.
    pub model_version: Option<i64>,
    /// Its algorithm.
    pub algorithm: Option<String>,
    /// The running experiment the user is in (absent outside any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// The experiment's variant the list was made for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// When the list was made (RFC 3339, UTC).
    pub timestamp: String,
}

/// The response of a list, for `user_id`.
pub fn response(user_id: Option<String>, recs: Recommendations) -> RecommendationResponse {
    let Recommendations {
        method,
        items,
        interactions,
        model,
        cf_weight,
        explanation,
        recommendation_id,
        experiment,
    } = recs;
    let (experiment, variant) = experiment.unzip();
    RecommendationResponse {
        recommendation_id,
        user_id,
        recommendations: items.into_iter().map(item_out).collect(),
        method,
        explanation,
        interactions,
        cf_weight,
        model_version: model.as_ref().map(|m| m.0),
        algorithm: model.map(|m| m.1),
        experiment,
        variant,
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

fn check_n(field: &str, n: usize) -> ApiResult<usize> {
    if (1..=MAX_N).contains(&n) {
        Ok(n)
    } else {
        Err(ApiError::invalid(
            field,
            format!("{n} is not between 1 and {MAX_N}"),
        ))
    }
}

fn check_mmr(field: &str, lambda: Option<f32>) -> ApiResult<f32> {
    match lambda {
        None => Ok(1.0),
        Some(l) if l > 0.0 && l <= 1.0 => Ok(l),
        Some(l) => Err(ApiError::invalid(
            field,
            format!("{l} is not in (0, 1] (1 turns diversity re-ranking off)"),
        )),
    }
}

fn default_n() -> usize {
    10
}

fn yes() -> bool {
    true
}

fn half() -> f32 {
    0.5
}

/// A recommendation request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecommendRequest {
    /// The user.
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// Items to return (1–500, default 10).
    #[serde(default = "default_n", alias = "n")]
    pub n_recommendations: usize,
    /// Use collaborative filtering (default true).
    #[serde(default = "yes")]
    pub use_cf: bool,
    /// Use content similarity from the items' text embeddings (default true).
    #[serde(default = "yes")]
    pub use_embeddings: bool,
    /// Weight of collaborative filtering, 0–1 (default 0.5); content has the rest.
    #[serde(default = "half")]
    pub cf_weight: f32,
    /// Diversity re-ranking (maximal marginal relevance): λ in (0, 1], 1 = none (default).
    pub mmr_lambda: Option<f32>,
    /// Only items in this category.
    pub category: Option<String>,
    /// Items never to return.
    #[serde(default, deserialize_with = "ids::id_list")]
    #[schema(value_type = Vec<String>)]
    pub exclude: Vec<String>,
    /// A named rule preset of `[flow.presets]` in `orrery.toml`.
    pub preset: Option<String>,
    /// Only items this expression admits, e.g. `category in ['Star','Planet'] and year >= 1990`
    /// (see docs/flow.md).
    pub filter: Option<String>,
    /// Score multipliers, e.g. `tag:new * 1.2, genre = 'Horror' * 0.5`.
    pub boost: Option<String>,
    /// Item ids placed at the top of the list in this order, each when the other rules
    /// admit it (live, unseen, not excluded, passing the filters).
    #[serde(default, deserialize_with = "ids::id_list")]
    #[schema(value_type = Vec<String>)]
    pub pin: Vec<String>,
}

/// Recommendations for a user, with the method and an explanation.
#[utoipa::path(post, path = "/recommendations", tag = "recommendations", request_body = RecommendRequest,
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = RecommendationResponse),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn recommend_post(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<RecommendRequest>,
) -> ApiResult<Response> {
    state.auth.require_acting_for(&caller, &body.user_id)?;
    let opts = RecommendOptions {
        n: check_n("n_recommendations", body.n_recommendations)?,
        offset: 0,
        exclude: body.exclude,
        category: body.category,
        use_cf: body.use_cf,
        use_content: body.use_embeddings,
        cf_weight: Some(body.cf_weight),
        reasons: true,
        mmr_lambda: check_mmr("mmr_lambda", body.mmr_lambda)?,
        preset: body.preset,
        rules: RuleText {
            filter: body.filter,
            boost: body.boost,
            pin: body.pin,
        },
    };
    recommend_cached(&state, body.user_id, &opts).await
}

/// Options of `GET /recommendations/{user_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendQuery {
    /// Items to return (1–500, default 10).
    pub n: Option<usize>,
    /// Items to skip, for paging (default 0).
    pub offset: Option<usize>,
    /// Item ids never to return, comma separated.
    pub exclude: Option<String>,
    /// Only items in this category (`Comedy` or `genre:Comedy`).
    pub category: Option<String>,
    /// Weight of collaborative filtering, 0–1 (default 0.8).
    pub cf_weight: Option<f32>,
    /// Add `matched` and `because` to each item (default false).
    pub explain: Option<bool>,
    /// Diversity re-ranking (maximal marginal relevance): λ in (0, 1], 1 = none (default).
    pub mmr_lambda: Option<f32>,
    /// A named rule preset of `[flow.presets]` in `orrery.toml`.
    pub preset: Option<String>,
    /// Only items this expression admits, e.g. `category in ['Star','Planet'] and year >= 1990`.
    pub filter: Option<String>,
    /// Score multipliers, e.g. `tag:new * 1.2, genre = 'Horror' * 0.5`.
    pub boost: Option<String>,
    /// Item ids placed at the top of the list in this order, comma separated, each when
    /// the other rules admit it (live, unseen, not excluded, passing the filters).
    pub pin: Option<String>,
}

/// The ids of a comma-separated query parameter, blanks dropped.
fn comma_list(text: Option<String>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// The options a query asks for.
pub fn query_options(q: RecommendQuery) -> ApiResult<RecommendOptions> {
    let defaults = RecommendOptions::default();
    Ok(RecommendOptions {
        n: check_n("n", q.n.unwrap_or(10))?,
        offset: q.offset.unwrap_or(0),
        exclude: comma_list(q.exclude),
        category: q.category,
        cf_weight: q.cf_weight,
        reasons: q.explain.unwrap_or(false),
        mmr_lambda: check_mmr("mmr_lambda", q.mmr_lambda)?,
        preset: q.preset,
        rules: RuleText {
            filter: q.filter,
            boost: q.boost,
            pin: comma_list(q.pin),
        },
        ..defaults
    })
}

/// Recommendations for a user: seen items are filtered, paging by `offset`.
#[utoipa::path(get, path = "/recommendations/{user_id}", tag = "recommendations",
    params(("user_id" = String, Path), RecommendQuery),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = RecommendationResponse),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn recommend_get(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    Params(q): Params<RecommendQuery>,
) -> ApiResult<Response> {
    state.auth.require_acting_for(&caller, &user_id)?;
    let opts = query_options(q)?;
    recommend_cached(&state, user_id, &opts).await
}

/// Says whether a list came from the cache (`hit`) or was computed and stored (`miss`);
/// absent when no cache is configured or Redis does not answer.
pub const CACHE_HEADER: HeaderName = HeaderName::from_static("x-orrery-cache");

/// A user's list from the cache when it holds it, else computed (and cached).
async fn recommend_cached(
    state: &AppState,
    user_id: String,
    opts: &RecommendOptions,
) -> ApiResult<Response> {
    let version = || state.engine.active_model().map(|m| m.version());
    let served_by = version();
    let arm = state.engine.experiment_arm(&user_id);
    let lookup = state
        .engine
        .cache()
        .lookup(&user_id, served_by, arm.as_deref(), opts)
        .await;
    let slot = match lookup {
        Lookup::Hit(body) => {
            // Each serve of a cached list is an impression of its own, under its own id.
            let id = served_again(state, &user_id, &body);
            let body = with_recommendation_id(body, id.as_deref());
            return Ok((
                [(CONTENT_TYPE, "application/json"), (CACHE_HEADER, "hit")],
                body,
            )
                .into_response());
        }
        Lookup::Miss(slot) => Some(slot),
        Lookup::Bypass => None,
    };
    let recs = state.engine.recommend(&user_id, opts).await?;
    let mut out = response(Some(user_id), recs);
    let Some(slot) = slot else {
        return Ok(Json(out).into_response());
    };
    // The cached body carries no id: the serves that read it get theirs.
    let id = out.recommendation_id.take();
    let body = serde_json::to_vec(&out).map_err(|e| ApiError::Internal(e.to_string()))?;
    // A list made while another model version was swapped in is not filed under the old one.
    if version() == served_by {
        state.engine.cache().store(slot, &body).await;
    }
    let body = with_recommendation_id(body, id.as_deref());
    Ok((
        [(CONTENT_TYPE, "application/json"), (CACHE_HEADER, "miss")],
        body,
    )
        .into_response())
}

/// What recording needs of a cached list.
#[derive(Deserialize)]
struct CachedList {
    method: String,
    model_version: Option<i64>,
    algorithm: Option<String>,
    experiment: Option<String>,
    variant: Option<String>,
    recommendations: Vec<CachedItem>,
}

#[derive(Deserialize)]
struct CachedItem {
    item_id: String,
    #[serde(default)]
    sources: Vec<String>,
}

/// Records a cached list served again; its new `recommendation_id` (`None` when the
/// server records no lists or the cached body is not a list).
fn served_again(state: &AppState, user_id: &str, body: &[u8]) -> Option<String> {
    if !state.engine.impressions().is_recording() {
        return None;
    }
    let cached: CachedList = serde_json::from_slice(body)
        .map_err(|e| tracing::warn!("a cached list does not parse: {e}"))
        .ok()?;
    let explored = cached
        .recommendations
        .iter()
        .position(|item| item.sources.iter().any(|s| s == EXPLORATION))
        .map(|p| p as u32 + 1);
    state.engine.impressions().served(ServedList {
        user: Some(user_id.to_owned()),
        surface: Surface::User,
        method: cached.method,
        model: cached.model_version.zip(cached.algorithm),
        experiment: cached.experiment.zip(cached.variant),
        explored,
        items: cached
            .recommendations
            .into_iter()
            .map(|item| item.item_id)
            .collect(),
    })
}

/// A serialized JSON object with `"recommendation_id": id` as its first member (as it is
/// without an id).
fn with_recommendation_id(body: Vec<u8>, id: Option<&str>) -> Vec<u8> {
    let (Some(id), Some(rest)) = (id, body.strip_prefix(b"{")) else {
        return body;
    };
    let member = format!(r#"{{"recommendation_id":"{id}""#);
    let mut out = Vec::with_capacity(body.len() + member.len() + 1);
    out.extend_from_slice(member.as_bytes());
    if rest.first() != Some(&b'}') {
        out.push(b',');
    }
    out.extend_from_slice(rest);
    out
}

/// An onboarding rating.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OnboardingRating {
    /// The movie (or any item).
    #[serde(alias = "item_id", alias = "content_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub movie_id: String,
    /// On the stored data's rating scale (0.5 to 5 unless an import kept another).
    pub rating: f32,
}

/// A new user's request: demographics, interests or genres, and a few onboarding ratings.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ColdStartRequest {
    /// An existing user, if the request is for one (their stored record is not read).
    #[serde(default, deserialize_with = "ids::opt_id")]
    #[schema(value_type = Option<String>)]
    pub user_id: Option<String>,
    /// Interests.
    #[serde(default)]
    pub interests: Vec<String>,
    /// Favourite genres (same as interests).
    #[serde(default, alias = "preferred_genres", alias = "favorite_genres")]
    pub genres: Vec<String>,
    /// Demographics.
    pub gender: Option<String>,
    /// Demographics.
    pub age: Option<i32>,
    /// Demographics.
    #[serde(default, deserialize_with = "ids::opt_id")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<String>,
    /// A few ratings of onboarding movies.
    #[serde(default)]
    pub ratings: Vec<OnboardingRating>,
    /// Items to return (1–500, default 10).
    #[serde(default, alias = "n", alias = "num_recommendations", alias = "top_k")]
    pub n_recommendations: Option<usize>,
}

/// Recommendations for a new user from demographics, interests or a few onboarding
/// ratings (folded into the active model).
#[utoipa::path(post, path = "/recommendations/cold-start", tag = "recommendations", request_body = ColdStartRequest,
    responses(
        (status = 200, body = RecommendationResponse),
        (status = 404, description = "A rated movie does not exist", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cold_start(
    State(state): State<AppState>,
    Body(body): Body<ColdStartRequest>,
) -> ApiResult<Json<RecommendationResponse>> {
    let n = check_n("n_recommendations", body.n_recommendations.unwrap_or(10))?;
    if let Some(age) = body.age.filter(|a| !(1..=130).contains(a)) {
        return Err(ApiError::invalid(
            "age",
            format!("{age} is not an age in years (1–130)"),
        ));
    }
    let profile = ColdStartProfile {
        interests: body.interests.into_iter().chain(body.genres).collect(),
        gender: body.gender,
        age: body.age,
        occupation: body.occupation,
        ratings: body
            .ratings
            .into_iter()
            .map(|r| (r.movie_id, r.rating))
            .collect(),
    };
    let recs = state
        .engine
        .cold_start(body.user_id.as_deref(), &profile, n)
        .await?;
    Ok(Json(response(body.user_id, recs)))
}

/// Options of the onboarding list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnboardingQuery {
    /// Movies to return (1–500, default 10).
    pub num_movies: Option<usize>,
    /// Only movies of these genres (one, or several separated by commas), spread across
    /// them; an unknown genre is a 422 listing the known ones.
    pub genre: Option<String>,
}

/// A movie to rate while onboarding.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingMovie {
    /// The movie.
    pub movie_id: String,
    /// The movie again, as `item_id`.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// Genres.
    pub genres: Vec<String>,
    /// Popularity in [0, 1].
    pub popularity: f32,
}

/// The onboarding list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingResponse {
    /// The id this list is recorded under (see `RecommendationResponse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<String>,
    /// Popular movies, spread across genres.
    pub movies: Vec<OnboardingMovie>,
    /// How many.
    pub total: usize,
    /// Distinct genres among them.
    pub genres_covered: usize,
}

/// Popular movies spread across genres (all, or those asked for), for a new user to rate.
#[utoipa::path(get, path = "/recommendations/onboarding-movies", tag = "recommendations",
    params(OnboardingQuery), responses((status = 200, body = OnboardingResponse)))]
pub async fn onboarding(
    State(state): State<AppState>,
    Params(q): Params<OnboardingQuery>,
) -> ApiResult<Json<OnboardingResponse>> {
    let n = check_n("num_movies", q.num_movies.unwrap_or(10))?;
    let genres = comma_list(q.genre);
    let onboarding = state.engine.onboarding(n, &genres)?;
    let movies: Vec<OnboardingMovie> = onboarding
        .items
        .into_iter()
        .map(|i| OnboardingMovie {
            movie_id: i.record.id.clone(),
            item_id: i.record.id,
            title: i.record.title,
            genres: i.record.categories.into_iter().map(|c| c.value).collect(),
            popularity: i.popularity,
        })
        .collect();
    let genres: std::collections::HashSet<&str> = movies
        .iter()
        .flat_map(|m| m.genres.iter().map(String::as_str))
        .collect();
    Ok(Json(OnboardingResponse {
        recommendation_id: onboarding.recommendation_id,
        total: movies.len(),
        genres_covered: genres.len(),
        movies,
    }))
}

/// Options of the similar-items list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// Items to return (1–500, default 10).
    pub n: Option<usize>,
    /// `auto` (default: the active model where it knows the item, else content),
    /// `collaborative` or `content`.
    #[param(inline)]
    pub method: Option<SimilarBy>,
}

/// Items similar to one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarResponse {
    /// The id this list is recorded under (see `RecommendationResponse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<String>,
    /// The item.
    pub item_id: String,
    /// `collaborative` (the model's item factors or neighbours) or `content`.
    pub method: Method,
    /// What the scores are: `model` (the active model's item similarity), `embeddings`
    /// (cosine of the items' text embeddings) or `categories_and_tags`.
    pub basis: SimilarityBasis,
    /// Similar items, most similar first.
    pub similar: Vec<RecommendedItem>,
}

/// Items similar to an item.
#[utoipa::path(get, path = "/items/{item_id}/similar", tag = "recommendations",
    params(("item_id" = String, Path), SimilarQuery),
    responses((status = 200, body = SimilarResponse), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn similar(
    State(state): State<AppState>,
    Path(item_id): Path<String>,
    Params(q): Params<SimilarQuery>,
) -> ApiResult<Json<SimilarResponse>> {
    let n = check_n("n", q.n.unwrap_or(10))?;
    let found = state
        .engine
        .similar_items(&item_id, n, q.method.unwrap_or_default())?;
    Ok(Json(SimilarResponse {
        recommendation_id: found.recommendation_id,
        item_id,
        method: found.method,
        basis: found.basis,
        similar: found.items.into_iter().map(item_out).collect(),
    }))
}

/// Options of the similar-users list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarUsersQuery {
    /// Users to return (1–500, default 10).
    pub n: Option<usize>,
}

/// Users with taste similar to a user's ("users like you"): the nearest training users by
/// the active model's user factors, from a vector index over them.
#[utoipa::path(get, path = "/users/{user_id}/similar", tag = "recommendations",
    params(("user_id" = String, Path), SimilarUsersQuery),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = SimilarUsers),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model is active", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn similar_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    Params(q): Params<SimilarUsersQuery>,
) -> ApiResult<Json<SimilarUsers>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    let n = check_n("n", q.n.unwrap_or(10))?;
    Ok(Json(state.engine.similar_users(&user_id, n).await?))
}

/// A prediction request. `item_id`, `movie_id` and `content_id` all name the item.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PredictRequest {
    /// The user.
    #[serde(deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub user_id: String,
    /// The item.
    #[serde(alias = "movie_id", alias = "content_id", deserialize_with = "ids::id")]
    #[schema(value_type = String)]
    pub item_id: String,
}

/// A prediction, with the item under each of its names.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredictResponse {
    /// The prediction.
    #[serde(flatten)]
    pub prediction: Prediction,
    /// The item (its name under `/api/ml`).
    pub movie_id: String,
}

/// The active model's predicted rating (or preference score) for a user and an item.
#[utoipa::path(post, path = "/predict", tag = "recommendations", request_body = PredictRequest,
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = PredictResponse),
        (status = 404, description = "No such user or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model is active, or the item is newer than it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn predict(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<PredictRequest>,
) -> ApiResult<Json<PredictResponse>> {
    state.auth.require_acting_for(&caller, &body.user_id)?;
    let prediction = state.engine.predict(&body.user_id, &body.item_id).await?;
    Ok(Json(PredictResponse {
        movie_id: prediction.item_id.clone(),
        prediction,
    }))
}

/// Why the active model scores an item as it does for a user: the rated items that pull
/// it up, shared categories, similar users who liked it.
#[utoipa::path(get, path = "/explain/{user_id}/{item_id}", tag = "recommendations",
    params(("user_id" = String, Path), ("item_id" = String, Path)),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = Explanation),
        (status = 404, description = "No such user or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No model is active, or the item is newer than it", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path((user_id, item_id)): Path<(String, String)>,
) -> ApiResult<Json<Explanation>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    Ok(Json(state.engine.explain(&user_id, &item_id).await?))
}
