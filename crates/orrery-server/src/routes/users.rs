//! Users and accounts: the Dummi AI shape (`user_id`, `interests`, `skill_level`) and the
//! Neural Recommendation shape (`email`, `password`, demographics) on the same routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use orrery_core::UserRecord;
use orrery_store::{SetCredentials, UserFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, hash_password};
use crate::extract::{Body, Params};
use crate::ids;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Demographics nested under `demographics` (they may also be sent at the top level).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Demographics {
    /// e.g. `F`, `M`.
    pub gender: Option<String>,
    /// Age in years.
    pub age: Option<i32>,
    /// Occupation (MovieLens sends a code such as 4).
    #[serde(default, deserialize_with = "ids::opt_id")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<String>,
    /// Postal code.
    #[serde(alias = "zip")]
    pub zip_code: Option<String>,
}

/// A user to create or the fields to change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserBody {
    /// The id (a string; a number means the same id). Generated when omitted.
    #[serde(default, alias = "id", deserialize_with = "ids::opt_id")]
    #[schema(value_type = Option<String>)]
    pub user_id: Option<String>,
    /// Stated interests, matched against item categories and tags.
    pub interests: Option<Vec<String>>,
    /// e.g. `beginner`, `intermediate`.
    pub skill_level: Option<String>,
    /// Sign-in email.
    pub email: Option<String>,
    /// Password, at least 8 characters; stored as an argon2 hash.
    pub password: Option<String>,
    /// Display name.
    pub username: Option<String>,
    /// e.g. `F`, `M`.
    pub gender: Option<String>,
    /// Age in years.
    pub age: Option<i32>,
    /// Occupation (MovieLens sends a code such as 4).
    #[serde(default, deserialize_with = "ids::opt_id")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<String>,
    /// Postal code.
    #[serde(alias = "zip")]
    pub zip_code: Option<String>,
    /// …or nested.
    #[serde(rename = "demographics")]
    pub nested_demographics: Option<Demographics>,
}

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPublic {
    /// The id.
    pub user_id: String,
    /// The id again, for clients that call it `id`.
    pub id: String,
    /// Sign-in email.
    pub email: Option<String>,
    /// Display name.
    pub username: Option<String>,
    /// Stated interests.
    pub interests: Vec<String>,
    /// Skill level.
    pub skill_level: Option<String>,
    /// Demographics.
    pub gender: Option<String>,
    /// Demographics.
    pub age: Option<i32>,
    /// Demographics.
    pub occupation: Option<String>,
    /// Demographics.
    pub zip_code: Option<String>,
    /// Items the user interacted with, oldest first (single-user reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<String>>,
    /// Number of stored interactions (single-user reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactions: Option<usize>,
}

impl UserPublic {
    fn of(user: UserRecord, email: Option<String>) -> UserPublic {
        let username = user
            .attributes
            .get("username")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        UserPublic {
            id: user.id.clone(),
            user_id: user.id,
            email,
            username,
            interests: user.interests,
            skill_level: user.skill_level,
            gender: user.gender,
            age: user.age,
            occupation: user.occupation,
            zip_code: user.zip,
            history: None,
            interactions: None,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users of this page.
    pub users: Vec<UserPublic>,
    /// Users matching the filters, over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Number of pages.
    pub pages: u64,
}

/// A confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// What was done.
    pub message: String,
    /// How many rows it touched, where that is meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<u64>,
}

impl Message {
    /// A message.
    pub fn new(message: impl Into<String>) -> Message {
        Message {
            message: message.into(),
            deleted: None,
        }
    }
}

/// Paging and filters of `GET /users/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Page, from 1 (default 1).
    pub page: Option<u32>,
    /// Page size, at most 1000 (default 50).
    pub size: Option<u32>,
    /// Exact gender.
    pub gender: Option<String>,
    /// Exact occupation.
    pub occupation: Option<String>,
    /// Exact skill level.
    pub skill_level: Option<String>,
    /// Users listing this interest.
    pub interest: Option<String>,
    /// Minimum age.
    pub min_age: Option<i32>,
    /// Maximum age.
    pub max_age: Option<i32>,
}

fn check_email(email: &str) -> ApiResult<()> {
    let email = email.trim();
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
    }) && email.len() <= 254
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ))
    }
}

fn check_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < 8 {
        return Err(ApiError::invalid(
            "password",
            "the password must have at least 8 characters",
        ));
    }
    Ok(())
}

/// Folds the body's fields into `user` (fields the body lacks are kept) and checks them.
fn apply(body: &UserBody, user: &mut UserRecord) -> ApiResult<()> {
    let demo = body.nested_demographics.clone().unwrap_or_default();
    if let Some(interests) = &body.interests {
        user.interests = interests
            .iter()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
    }
    if let Some(level) = &body.skill_level {
        user.skill_level = Some(level.clone());
    }
    if let Some(gender) = body.gender.clone().or(demo.gender) {
        user.gender = Some(gender);
    }
    if let Some(age) = body.age.or(demo.age) {
        if !(1..=130).contains(&age) {
            return Err(ApiError::invalid(
                "age",
                format!("{age} is not an age in years (1–130)"),
            ));
        }
        user.age = Some(age);
    }
    if let Some(occupation) = body.occupation.clone().or(demo.occupation) {
        user.occupation = Some(occupation);
    }
    if let Some(zip) = body.zip_code.clone().or(demo.zip_code) {
        user.zip = Some(zip);
    }
    if let Some(name) = &body.username {
        user.attributes
            .insert("username".into(), serde_json::Value::String(name.clone()));
    }
    if let Some(email) = &body.email {
        check_email(email)?;
    }
    if let Some(password) = &body.password {
        check_password(password)?;
    }
    Ok(())
}

async fn store_credentials(state: &AppState, user_id: &str, body: &UserBody) -> ApiResult<()> {
    match (&body.email, &body.password) {
        (None, None) => Ok(()),
        (Some(email), password) => {
            set_credentials(state, user_id, email, password.as_deref()).await
        }
        (None, Some(password)) => {
            let email = state
                .store
                .email_of(user_id)
                .await?
                .flatten()
                .ok_or_else(|| {
                    ApiError::invalid("email", "a password needs an email to sign in with")
                })?;
            set_credentials(state, user_id, &email, Some(password)).await
        }
    }
}

async fn set_credentials(
    state: &AppState,
    user_id: &str,
    email: &str,
    password: Option<&str>,
) -> ApiResult<()> {
    let hash = match password {
        Some(password) => {
            let password = password.to_owned();
            Some(
                tokio::task::spawn_blocking(move || hash_password(&password))
                    .await
                    .map_err(|e| {
                        ApiError::Internal(format!("hashing a password stopped: {e}"))
                    })??,
            )
        }
        None => None,
    };
    match state
        .store
        .set_credentials(user_id, email, hash.as_deref())
        .await?
    {
        SetCredentials::Stored => Ok(()),
        SetCredentials::UnknownUser => Err(ApiError::not_found("user", user_id)),
        SetCredentials::EmailTaken => Err(ApiError::Conflict(format!(
            "the email {email:?} is already used by another account: sign in with it or use another"
        ))),
    }
}

fn new_user_id() -> String {
    use rand::RngCore;
    format!("u{:012x}", rand::rng().next_u64() & 0xffff_ffff_ffff)
}

async fn public_user(state: &AppState, id: &str, with_history: bool) -> ApiResult<UserPublic> {
    let view = state.engine.user_view(id).await?;
    let email = state.store.email_of(id).await?.flatten();
    let mut public = UserPublic::of(view.record.clone(), email);
    if with_history {
        public.history = Some(view.seen().map(str::to_owned).collect());
        public.interactions = Some(view.interactions);
    }
    Ok(public)
}

/// Create a user (sign-up is open): a profile (`user_id`, `interests`, `skill_level`) or an
/// account (`email`, `password`, demographics).
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserBody,
    responses(
        (status = 201, body = UserPublic),
        (status = 409, description = "The id or the email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    Body(body): Body<UserBody>,
) -> ApiResult<(StatusCode, Json<UserPublic>)> {
    if body.user_id.is_none() && body.email.is_none() {
        return Err(ApiError::invalid(
            "user_id",
            "send a user_id, or an email and a password",
        ));
    }
    if body.email.is_some() && body.password.is_none() && body.user_id.is_none() {
        return Err(ApiError::invalid(
            "password",
            "an account needs a password to sign in with",
        ));
    }
    let id = body.user_id.clone().unwrap_or_else(new_user_id);
    let mut user = UserRecord::with_id(&id);
    apply(&body, &mut user)?;
    if state.engine.user_exists(&id).await? {
        return Err(ApiError::Conflict(format!(
            "user {id:?} already exists: change it with PUT /users/{id}"
        )));
    }
    if let Some(email) = &body.email
        && state.store.credentials_by_email(email).await?.is_some()
    {
        return Err(ApiError::Conflict(format!(
            "the email {email:?} is already used by another account: sign in with it or use another"
        )));
    }
    state.engine.put_user(&user).await?;
    if body.email.is_some()
        && let Err(e) = store_credentials(&state, &id, &body).await
    {
        // The account is unusable without its credentials: take it back.
        state.engine.delete_user(&id).await?;
        return Err(e);
    }
    Ok((
        StatusCode::CREATED,
        Json(public_user(&state, &id, false).await?),
    ))
}

/// List users, a page at a time, optionally filtered (admin key when one is configured).
#[utoipa::path(get, path = "/users", tag = "users", params(UsersQuery),
    security((), ("api_key" = [])),
    responses((status = 200, body = UserList)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<UsersQuery>,
) -> ApiResult<Json<UserList>> {
    state.auth.require_admin(&caller)?;
    let size = q.size.unwrap_or(50).clamp(1, orrery_store::MAX_PAGE_SIZE);
    let filter = UserFilter {
        gender: q.gender,
        occupation: q.occupation,
        skill_level: q.skill_level,
        interest: q.interest,
        min_age: q.min_age,
        max_age: q.max_age,
    };
    let page = state
        .store
        .list_users_where(q.page.unwrap_or(1), size, &filter)
        .await?;
    let mut users = Vec::with_capacity(page.items.len());
    for user in page.items {
        let email = state.store.email_of(&user.id).await?.flatten();
        users.push(UserPublic::of(user, email));
    }
    Ok(Json(UserList {
        users,
        total: page.total,
        page: page.page,
        size: page.size,
        pages: page.total.div_ceil(u64::from(page.size.max(1))),
    }))
}

/// Delete every user and their interactions (admin).
#[utoipa::path(delete, path = "/users", tag = "users", security((), ("api_key" = [])),
    responses((status = 200, body = Message)))]
pub async fn delete_all_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Message>> {
    state.auth.require_admin(&caller)?;
    let deleted = state.engine.delete_all_users().await?;
    Ok(Json(Message {
        message: format!("deleted {deleted} users"),
        deleted: Some(deleted),
    }))
}

/// The user the access token belongs to.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, body = UserPublic),
        (status = 401, description = "No token, or an expired or forged one", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<UserPublic>> {
    let id = state.auth.require_user(&caller)?;
    Ok(Json(public_user(&state, &id, true).await?))
}

/// One user, with the items they interacted with.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user's id")),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = UserPublic),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> ApiResult<Json<UserPublic>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    Ok(Json(public_user(&state, &user_id, true).await?))
}

/// Change a user: fields sent replace the stored ones, others are kept (their token or the
/// admin key when one is configured).
#[utoipa::path(put, path = "/users/{user_id}", tag = "users", request_body = UserBody,
    params(("user_id" = String, Path, description = "The user's id")),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = UserPublic),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    Body(body): Body<UserBody>,
) -> ApiResult<Json<UserPublic>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    if let Some(other) = body.user_id.as_deref().filter(|id| *id != user_id) {
        return Err(ApiError::invalid(
            "user_id",
            format!("the body names user {other:?} but the path {user_id:?}: ids cannot change"),
        ));
    }
    let mut user = state
        .store
        .get_user(&user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("user", &user_id))?;
    apply(&body, &mut user)?;
    state.engine.put_user(&user).await?;
    store_credentials(&state, &user_id, &body).await?;
    Ok(Json(public_user(&state, &user_id, true).await?))
}

/// Delete a user and their interactions.
#[utoipa::path(delete, path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The user's id")),
    security((), ("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, body = Message),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Message>> {
    state.auth.require_acting_for(&caller, &user_id)?;
    if !state.engine.delete_user(&user_id).await? {
        return Err(ApiError::not_found("user", &user_id));
    }
    Ok(Json(Message::new(format!("user {user_id:?} deleted"))))
}
