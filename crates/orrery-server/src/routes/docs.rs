//! `GET /openapi.json` (the OpenAPI 3 document generated from the handlers) and `GET /docs`
//! (a self-contained page, compiled into the binary, that renders it without any CDN).

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::state::AppState;

const DOCS_PAGE: &str = include_str!("../../assets/docs.html");

/// The two documentation routes for `openapi`.
pub fn router(openapi: utoipa::openapi::OpenApi) -> Router<AppState> {
    let json: Arc<str> = openapi
        .to_json()
        .unwrap_or_else(|e| {
            format!("{{\"error\": \"the OpenAPI document did not serialize: {e}\"}}")
        })
        .into();
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        json.to_string(),
                    )
                        .into_response()
                }
            }),
        )
        .route("/docs", get(|| async { Html(DOCS_PAGE) }))
}
