//! Request extractors whose failures are problem documents that name the field at fault.
//!
//! axum's own `Json` and `Query` reject with plain text; these read the same inputs
//! through `serde_path_to_error`, so that a wrong type deep in a body answers
//! `422 … field: "[2].rating"`, malformed JSON answers 400, and a body over the limit 413.
//!
//! A NUL character in any string of a body, form or query is refused with 422 naming the
//! field: PostgreSQL cannot store it in text, and refusing it on every backend keeps what
//! SQLite accepts the same as what PostgreSQL accepts.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::problem::ApiError;

/// A JSON body of type `T`.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

/// A JSON body of type `T`, or `T::default()` when the body is empty (for endpoints that
/// the seeds call without a body, such as `POST /api/ml/train`).
#[derive(Debug, Clone)]
pub struct OptionalBody<T>(pub T);

/// A JSON body holding one `T` or an array of them.
#[derive(Debug, Clone)]
pub struct OneOrMany<T>(pub Vec<T>);

/// An `application/x-www-form-urlencoded` body of type `T`.
#[derive(Debug, Clone)]
pub struct FormBody<T>(pub T);

/// Query parameters of type `T`.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

/// Reads the body, mapping a too-large body to 413.
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(
                "the request body is larger than the server accepts: send less per request \
                 (split batches) or raise --body-limit"
                    .into(),
            )
        } else {
            ApiError::BadRequest {
                detail: format!(
                    "the request body could not be read: {}",
                    rejection.body_text()
                ),
                field: None,
            }
        }
    })
}

/// How a request declares its body.
enum Declared {
    /// No `Content-Type`.
    Nothing,
    /// `application/json` or a `+json` type.
    Json,
    /// Anything else, by its essence (`text/plain`, a form, …).
    Other(String),
}

fn declared_type(req: &Request) -> Declared {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Declared::Nothing;
    };
    let media = value.to_str().unwrap_or("").to_ascii_lowercase();
    let essence = media.split(';').next().unwrap_or("").trim().to_owned();
    if essence == "application/json" || essence.ends_with("+json") {
        Declared::Json
    } else {
        Declared::Other(essence)
    }
}

/// Accepts a body declared as JSON, and no declaration for an empty body where one is
/// optional. Anything else is a 415: a web page can send a form or text to any site
/// without asking, but never a body declared as JSON (see `guard`).
fn require_json(declared: Declared, empty_allowed: bool, body: &[u8]) -> Result<(), ApiError> {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    match declared {
        Declared::Json => Ok(()),
        Declared::Nothing if empty && empty_allowed => Ok(()),
        Declared::Nothing => Err(ApiError::UnsupportedMediaType(
            "the body has no Content-Type: send JSON with Content-Type: application/json".into(),
        )),
        Declared::Other(essence) => Err(ApiError::UnsupportedMediaType(format!(
            "the body is declared as {essence:?}: send JSON with Content-Type: application/json"
        ))),
    }
}

/// Deserializes JSON, naming the field of the first error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest {
            detail: "the request body is empty: send a JSON document".into(),
            field: None,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
    de.end().map_err(|e| ApiError::BadRequest {
        detail: format!("the request body is not valid JSON: {e}"),
        field: None,
    })?;
    // JSON can only carry a NUL escaped, so bodies without the escape skip the walk.
    if contains_nul_escape(bytes) {
        let tree: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
                detail: format!("the request body is not valid JSON: {e}"),
                field: None,
            })?;
        if let Some(field) = nul_path(&tree, "") {
            return Err(nul_error(field));
        }
    }
    Ok(value)
}

fn contains_nul_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|b| *b == b'0'))
}

/// The path of the first string (or key) in `value` that holds a NUL.
fn nul_path(value: &serde_json::Value, at: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(at.to_owned()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, &format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let here = join_path(at, k);
            if k.contains('\0') {
                Some(here)
            } else {
                nul_path(v, &here)
            }
        }),
        _ => None,
    }
}

fn nul_error(field: String) -> ApiError {
    let name = if field.is_empty() {
        "the body"
    } else {
        field.as_str()
    };
    ApiError::Unprocessable {
        detail: format!(
            "{name} contains a NUL character (\\u0000), which cannot be stored: remove it"
        ),
        field: Some(field),
    }
}

/// Refuses a form or query whose names or values hold a NUL, naming the first.
fn check_pairs_for_nul(encoded: &[u8]) -> Result<(), ApiError> {
    for (name, value) in form_urlencoded::parse(encoded) {
        if name.contains('\0') || value.contains('\0') {
            return Err(nul_error(name.replace('\0', "\\u0000")));
        }
    }
    Ok(())
}

/// Deserializes a JSON value that was already parsed, naming the field of the first error
/// under `prefix`.
pub fn from_value<T: DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut error = json_error(e);
        if let ApiError::Unprocessable { field, .. } = &mut error {
            *field = Some(join_path(prefix, field.as_deref().unwrap_or("")));
        }
        error
    })
}

fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty() || path == ".") {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.inner();
    match inner.classify() {
        Category::Data => {
            let message = inner.to_string();
            ApiError::Unprocessable {
                field: Some(field_of(&path, &message)),
                detail: message,
            }
        }
        // A number too large for its field's type (a rating of 1e39 for an f32) is well
        // formed JSON with a value out of range: serde_json reports it as a syntax error,
        // but the client needs the field, as for any other bad value.
        Category::Syntax if is_number_out_of_range(inner) => ApiError::Unprocessable {
            detail: format!(
                "{} is out of range: {inner}",
                if path == "." {
                    "a number"
                } else {
                    path.as_str()
                }
            ),
            field: Some(field_of(&path, "")),
        },
        Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest {
            detail: format!("the request body is not valid JSON: {inner}"),
            field: None,
        },
    }
}

/// serde_json has no public error code to match on; its message for this one is stable
/// ("number out of range at line 1 column 30").
fn is_number_out_of_range(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("number out of range")
}

/// The field a serde message is about: the error's path, plus the field a "missing field"
/// message names (serde reports those at the enclosing object).
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(name) => join_path(if path == "." { "" } else { path }, name),
        None if path == "." => String::new(),
        None => path.to_owned(),
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = declared_type(&req);
        let bytes = read_body(req, state).await?;
        require_json(declared, false, &bytes)?;
        parse_json(&bytes).map(Body)
    }
}

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = declared_type(&req);
        let bytes = read_body(req, state).await?;
        require_json(declared, true, &bytes)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalBody(T::default()));
        }
        parse_json(&bytes).map(OptionalBody)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OneOrMany<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = declared_type(&req);
        let bytes = read_body(req, state).await?;
        require_json(declared, false, &bytes)?;
        let value: serde_json::Value = parse_json(&bytes)?;
        match value {
            serde_json::Value::Array(_) => from_value(value, "").map(OneOrMany),
            other => from_value(other, "").map(|one| OneOrMany(vec![one])),
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        check_pairs_for_nul(&bytes)?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        serde_path_to_error::deserialize(de)
            .map(FormBody)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.inner().to_string();
                ApiError::Unprocessable {
                    field: Some(field_of(&path, &message)),
                    detail: format!("form field: {message}"),
                }
            })
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        check_pairs_for_nul(query.as_bytes())?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Params)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.inner().to_string();
                let field = field_of(&path, &message);
                ApiError::Unprocessable {
                    detail: format!("query parameter {field}: {message}"),
                    field: Some(field),
                }
            })
    }
}

/// Middleware: refuses a path whose percent-decoding is not UTF-8 or holds a NUL, as a
/// problem document, before a handler's path extractor would answer in plain text (or a
/// NUL would reach the database).
pub async fn check_path(
    req: Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    let decoded = percent_decode(req.uri().path().as_bytes());
    match String::from_utf8(decoded) {
        Ok(path) if path.contains('\0') => Err(ApiError::BadRequest {
            detail: "the path contains a NUL character (%00), which no id can hold".into(),
            field: None,
        }),
        Ok(_) => Ok(next.run(req).await),
        Err(_) => Err(ApiError::BadRequest {
            detail: "the path is not UTF-8 once percent-decoded: encode ids as UTF-8".into(),
            field: None,
        }),
    }
}

/// `%XX` sequences decoded; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Rating {
        user_id: String,
        rating: f32,
    }

    #[test]
    fn wrong_types_name_their_field_and_syntax_errors_are_400() {
        let err = parse_json::<Vec<Rating>>(
            br#"[{"user_id":"a","rating":4},{"user_id":"b","rating":"x"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.problem().field.as_deref(), Some("[1].rating"));
        let err = parse_json::<Rating>(br#"{"rating":4}"#).unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("user_id"));
        let err = parse_json::<Rating>(br#"{"user_id": "a", "#).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        let err = parse_json::<Rating>(b"  ").unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        let err = parse_json::<Rating>(br#"{"user_id":"a","rating":1} x"#).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn numbers_out_of_range_name_their_field() {
        let err = parse_json::<Vec<Rating>>(br#"[{"user_id":"a","rating":1e39}]"#).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.problem().field.as_deref(), Some("[0].rating"));
        let err = parse_json::<serde_json::Value>(br#"{"x": 1e999}"#).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn a_nul_anywhere_is_refused_naming_its_field() {
        let err =
            parse_json::<serde_json::Value>(br#"{"a": {"b": ["x", "y\u0000"]}}"#).unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.problem().field.as_deref(), Some("a.b[1]"));
        let err = parse_json::<serde_json::Value>(br#"[{"k\u0000": 1}]"#).unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("[0].k\u{0}"));
        // An escaped backslash followed by "u0000" is no NUL.
        assert!(parse_json::<serde_json::Value>(br#"{"a": "\\u0000"}"#).is_ok());
        let err = check_pairs_for_nul(b"username=a%00b&password=x").unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("username"));
        assert!(check_pairs_for_nul(b"username=a%01b").is_ok());
    }

    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(percent_decode(b"/users/a%20b%2F%zz%4"), b"/users/a b/%zz%4");
        assert_eq!(percent_decode(b"/x%00"), b"/x\0");
        assert!(String::from_utf8(percent_decode(b"/x%FF")).is_err());
    }

    #[test]
    fn nested_values_get_a_prefixed_path() {
        let value = serde_json::json!({"rating": true, "user_id": "u"});
        let err = from_value::<Rating>(value, "items[3]").unwrap_err();
        assert_eq!(err.problem().field.as_deref(), Some("items[3].rating"));
    }
}
