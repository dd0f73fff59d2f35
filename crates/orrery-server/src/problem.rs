//! [`ApiError`]: every failure a handler can return, rendered as an RFC 9457
//! `application/problem+json` document with the status that fits and, where one is to
//! blame, the offending field or id.
//!
//! Client mistakes are 4xx; only failures of the service itself (the database is
//! unreachable, a stored model does not decode) are 5xx, and those are logged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457), as every error response carries it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status and title say what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The HTTP reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What was wrong and what to do about it.
    pub detail: String,
    /// The request field at fault, as a path into the body or the query (`user_id`,
    /// `[2].rating`, `hyperparameters.factors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The id that was not found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read (malformed JSON, a bad path or query value).
    #[error("{detail}")]
    BadRequest {
        /// What is wrong.
        detail: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// No credentials, or credentials that do not check out.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials that do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// An id that names nothing.
    #[error("{what} {id:?} does not exist")]
    NotFound {
        /// What kind of thing (`user`, `item`, `model version`).
        what: &'static str,
        /// The id given.
        id: String,
    },
    /// The request conflicts with the current state (a duplicate, a training already
    /// running, deleting the active model).
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is not JSON (or not a form where a form is expected).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body is well-formed but a value is wrong.
    #[error("{detail}")]
    Unprocessable {
        /// What is wrong.
        detail: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// Too many attempts; the client may try again after `retry_after`.
    #[error("{detail}")]
    TooManyRequests {
        /// What was limited and when to try again.
        detail: String,
        /// How long to wait, sent as `Retry-After`.
        retry_after: std::time::Duration,
    },
    /// The service cannot answer this yet (no model trained).
    #[error("{0}")]
    Unavailable(String),
    /// A failure of the service itself.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming `field`.
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::Unprocessable {
            detail: detail.into(),
            field: Some(field.into()),
        }
    }

    /// A 400 naming `field`.
    pub fn bad_request(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            detail: detail.into(),
            field: Some(field.into()),
        }
    }

    /// A 404 for `what` `id`.
    pub fn not_found(what: &'static str, id: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            what,
            id: id.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (field, id) = match self {
            ApiError::BadRequest { field, .. } | ApiError::Unprocessable { field, .. } => {
                (field.clone(), None)
            }
            ApiError::NotFound { id, .. } => (None, Some(id.clone())),
            _ => (None, None),
        };
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            field,
            id,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), "{self}");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let ApiError::TooManyRequests { retry_after, .. } = &self {
            // Whole seconds, rounded up, so that a client waiting this long is let in.
            let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

impl From<orrery_store::Error> for ApiError {
    fn from(error: orrery_store::Error) -> ApiError {
        ApiError::Internal(error_chain(&error))
    }
}

impl From<orrery_engine::EngineError> for ApiError {
    fn from(error: orrery_engine::EngineError) -> ApiError {
        use orrery_engine::EngineError as E;
        match error {
            E::UnknownUser(id) => ApiError::not_found("user", id),
            E::UnknownItem(id) => ApiError::not_found("item", id),
            E::UnknownVersion(v) => ApiError::not_found("model version", v.to_string()),
            E::UnknownExperiment(id) => ApiError::not_found("experiment", id),
            E::Conflict(reason) => ApiError::Conflict(reason),
            E::NoModel | E::NotInModel(_) => ApiError::Conflict(error.to_string()),
            E::Invalid { field, reason } => {
                ApiError::invalid(field.clone(), format!("{field}: {reason}"))
            }
            E::Store(e) => e.into(),
            E::Model(_) | E::Bundle(_) | E::Stopped(_) => ApiError::Internal(error_chain(&error)),
        }
    }
}

/// An error and its causes, joined by `: `.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_carry_status_field_and_id() {
        let p = ApiError::invalid("user_id", "expected a string").problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.title, "Unprocessable Entity");
        assert_eq!(p.field.as_deref(), Some("user_id"));
        let p = ApiError::not_found("user", "u9").problem();
        assert_eq!((p.status, p.id.as_deref()), (404, Some("u9")));
        assert_eq!(p.detail, "user \"u9\" does not exist");
    }
}
