//! The training dashboard at `/dashboard`: a page of plain HTML, CSS and JavaScript
//! compiled into the binary (no CDN, no build step), which reads the JSON API and calls
//! the admin routes with a key the user types in.
//!
//! - [`pages`]: the page and its assets.
//! - [`api`]: the few read-only endpoints the page needs beyond the rest of the API
//!   (counts and the text encoder, interactions per day, training runs, algorithms, a
//!   user's history, pipeline outputs, serving counters and their Prometheus form, the
//!   recommendation flow).
//!
//! Charts are SVG drawn by the page's own small module (`chart.js`) rather than a
//! charting library from npm: line charts of a few hundred points need no more, and it
//! keeps `cargo build` independent of npm and of any generated file.

pub mod api;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// An embedded file: its name under `/dashboard/assets/`, content type and bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const INDEX: &str = include_str!("../../assets/dashboard/index.html");

const ASSETS: [Asset; 3] = [
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/dashboard/app.js"),
    },
    Asset {
        name: "chart.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/dashboard/chart.js"),
    },
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/dashboard/style.css"),
    },
];

/// Scripts, styles and requests only from this server; no inline script can run, so text
/// that slipped into the page could not execute.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn respond(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // The assets change with the binary; revalidating is cheap on loopback.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    respond("text/html; charset=utf-8", INDEX)
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => respond(a.content_type, a.body),
        None => crate::problem::ApiError::not_found("dashboard asset", name).into_response(),
    }
}

/// `GET /dashboard` and `GET /dashboard/assets/{name}`.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(index))
        .route("/dashboard/assets/{name}", get(asset))
}

/// The dashboard's JSON endpoints, with their OpenAPI descriptions.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::stats))
        .routes(routes!(api::interactions_per_day))
        .routes(routes!(api::training_runs))
        .routes(routes!(api::algorithms))
        .routes(routes!(api::user_history))
        .routes(routes!(api::pipeline_outputs))
        .routes(routes!(api::serving))
        .routes(routes!(api::flow))
        .routes(routes!(api::prometheus))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_only_embedded_assets() {
        for reference in INDEX.split("/dashboard/assets/").skip(1) {
            let name = reference.split('"').next().unwrap_or_default();
            assert!(
                ASSETS.iter().any(|a| a.name == name),
                "index.html refers to {name}, which is not embedded"
            );
        }
        // No inline script or style: the content security policy would block it.
        assert!(!INDEX.contains("<script>"));
        assert!(!INDEX.contains("style=\""));
        assert!(!INDEX.contains("<style"));
    }
}
