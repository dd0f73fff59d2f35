//! `POST /auth/token`: the OAuth2 password flow (form fields `username` = email and
//! `password`) answering an HS256 access token.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::verify_password;
use crate::extract::FormBody;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// The OAuth2 password form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenForm {
    /// The account's email.
    pub username: String,
    /// The password.
    pub password: String,
    /// `password` when sent (OAuth2 clients send it); anything else is refused.
    #[serde(default)]
    pub grant_type: Option<String>,
}

/// An access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    /// The JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// The user it acts for.
    pub user_id: String,
}

/// Exchange an email and password for an access token.
#[utoipa::path(post, path = "/auth/token", tag = "auth",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = Token),
        (status = 401, description = "Unknown email or wrong password", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    State(state): State<AppState>,
    FormBody(form): FormBody<TokenForm>,
) -> ApiResult<Json<Token>> {
    if let Some(grant) = form
        .grant_type
        .as_deref()
        .filter(|g| !g.is_empty() && *g != "password")
    {
        return Err(ApiError::invalid(
            "grant_type",
            format!("grant_type {grant:?} is not supported: use password"),
        ));
    }
    let wrong = || {
        ApiError::Unauthorized(
            "incorrect email or password: sign up with POST /users/ first".into(),
        )
    };
    let credentials = state
        .store
        .credentials_by_email(&form.username)
        .await?
        .ok_or_else(wrong)?;
    let hash = credentials.password_hash.ok_or_else(wrong)?;
    let generation = credentials.token_generation.ok_or_else(wrong)?;
    let password = form.password;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(format!("checking a password stopped: {e}")))?;
    if !matches {
        return Err(wrong());
    }
    let tokens = state.auth.tokens();
    Ok(Json(Token {
        access_token: tokens.issue(&credentials.user_id, generation)?,
        token_type: "bearer".into(),
        expires_in: tokens.ttl().as_secs(),
        user_id: credentials.user_id,
    }))
}
