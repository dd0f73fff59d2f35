//! `POST /auth/token`: the OAuth2 password flow (form fields `username` = email and
//! `password`) answering an HS256 access token, with attempts limited per account and
//! client address ([`crate::sign_in_limit`]).

use axum::extract::{ConnectInfo, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{DECOY_PHC, verify_password};
use crate::extract::FormBody;
use crate::parse_errors::PeerAddr;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::sign_in_limit::Limited;
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
        (status = 429, description = "Too many attempts for the account or from the client; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<PeerAddr>>>,
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
    let address = peer.map(|Extension(ConnectInfo(PeerAddr { addr, .. }))| addr.ip());
    state
        .sign_in_limit
        .try_attempt(&form.username, address)
        .map_err(too_many_attempts)?;
    let wrong = || {
        ApiError::Unauthorized(
            "incorrect email or password: sign up with POST /users/ first".into(),
        )
    };
    let credentials = state.store.credentials_by_email(&form.username).await?;
    // Unknown accounts are checked against a decoy hash, so that the time taken does not
    // tell which emails have accounts.
    let (hash, known) = match credentials.as_ref() {
        Some(c) => match (&c.password_hash, c.token_generation) {
            (Some(hash), Some(generation)) => (hash.clone(), Some((c, generation))),
            _ => (DECOY_PHC.to_owned(), None),
        },
        None => (DECOY_PHC.to_owned(), None),
    };
    let password = form.password;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(format!("checking a password stopped: {e}")))?;
    let (credentials, generation) = match known {
        Some(known) if matches => known,
        _ => return Err(wrong()),
    };
    let tokens = state.auth.tokens();
    Ok(Json(Token {
        access_token: tokens.issue(&credentials.user_id, generation)?,
        token_type: "bearer".into(),
        expires_in: tokens.ttl().as_secs(),
        user_id: credentials.user_id.clone(),
    }))
}

fn too_many_attempts(limited: Limited) -> ApiError {
    let (what, retry_after) = match limited {
        Limited::Account(wait) => ("this account", wait),
        Limited::Address(wait) => ("this client address", wait),
    };
    ApiError::TooManyRequests {
        detail: format!(
            "too many sign-in attempts for {what}: try again in {} s (see Retry-After)",
            retry_after.as_secs().max(1)
        ),
        retry_after,
    }
}
