//! The HTTP routes: thin handlers (parse → call the engine or the store → map errors),
//! collected with their OpenAPI descriptions into one router.
//!
//! Paths are registered without a trailing slash; the server strips one before routing,
//! so the seeds' `POST /users/` reaches `POST /users`.

mod auth;
mod docs;
mod experiments;
mod health;
mod impressions;
mod interactions;
mod items;
mod ml;
mod pipeline;
mod recommend;
mod responses;
mod training;
mod users;

use axum::extract::DefaultBodyLimit;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// The service description that the handlers' own annotations complete.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Orrery",
        description = "A recommendation engine: users, items and interactions in, \
            recommendations with explanations out; training, a model registry and hot model \
            swaps. Errors are application/problem+json documents naming the field or id at \
            fault. Collection paths also answer with a trailing slash, and training, \
            models and predictions are also under /api/ml."
    ),
    modifiers(&Security),
    components(schemas(Problem)),
    tags(
        (name = "health", description = "Liveness and what is being served"),
        (name = "auth", description = "Access tokens"),
        (name = "users", description = "Users and accounts"),
        (name = "items", description = "The catalog, also under /content and /movies"),
        (name = "interactions", description = "Ratings, feedback and other events"),
        (name = "recommendations", description = "Recommendations, similar items, predictions and explanations"),
        (name = "training", description = "Training, the model registry and metrics"),
        (name = "impressions", description = "Served lists and their outcomes: click-through, conversion, MRR"),
        (name = "experiments", description = "A/B experiments: variants of how lists are made, users split between them, and their results"),
        (name = "ml", description = "Training, models, metrics, predictions and explanations under /api/ml"),
        (name = "pipeline", description = "The Poppy Universe pipeline: layers 2, 3 and 4 as CSV files"),
        (name = "dashboard", description = "Read-only figures for the dashboard at /dashboard: counts, activity, runs, serving counters"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every route, with the state, the body limit and the OpenAPI document they describe.
pub fn router(state: AppState) -> axum::Router {
    let body_limit = state.config.body_limit;
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::root))
        .routes(routes!(health::health))
        .routes(routes!(health::recommendations_health))
        .routes(routes!(auth::token))
        .routes(routes!(
            users::create_user,
            users::list_users,
            users::delete_all_users
        ))
        .routes(routes!(users::me))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(items::create_item, items::list_items))
        .routes(routes!(
            items::get_item,
            items::update_item,
            items::delete_item
        ))
        .routes(routes!(items::create_content, items::list_content))
        .routes(routes!(
            items::get_content,
            items::update_content,
            items::delete_content
        ))
        .routes(routes!(items::content_by_category))
        .routes(routes!(items::create_movie, items::list_movies))
        .routes(routes!(
            items::get_movie,
            items::update_movie,
            items::delete_movie
        ))
        .routes(routes!(interactions::post_interactions))
        .routes(routes!(interactions::post_ratings))
        .routes(routes!(interactions::interact))
        .routes(routes!(interactions::feedback))
        .routes(routes!(recommend::recommend_post))
        .routes(routes!(recommend::recommend_get))
        .routes(routes!(recommend::cold_start))
        .routes(routes!(recommend::onboarding))
        .routes(routes!(recommend::similar))
        .routes(routes!(recommend::similar_users))
        .routes(routes!(recommend::predict))
        .routes(routes!(recommend::explain))
        .routes(routes!(impressions::metrics))
        .routes(routes!(impressions::impression))
        .routes(routes!(experiments::create, experiments::list))
        .routes(routes!(experiments::report, experiments::delete))
        .routes(routes!(experiments::start))
        .routes(routes!(experiments::pause))
        .routes(routes!(experiments::stop))
        .routes(routes!(training::train))
        .routes(routes!(training::cancel))
        .routes(routes!(training::status))
        .routes(routes!(training::list_models))
        .routes(routes!(training::activate))
        .routes(routes!(training::delete_model))
        .routes(routes!(training::pin, training::unpin))
        .routes(routes!(training::metrics))
        .routes(routes!(training::metrics_history))
        .routes(routes!(ml::train))
        .routes(routes!(ml::retrain))
        .routes(routes!(ml::training_status))
        .routes(routes!(ml::recommendations))
        .routes(routes!(ml::predict))
        .routes(routes!(ml::explain))
        .routes(routes!(ml::metrics))
        .routes(routes!(ml::metrics_history))
        .routes(routes!(ml::models))
        .routes(routes!(ml::activate))
        .routes(routes!(ml::delete_model))
        .routes(routes!(pipeline::run_layer))
        .routes(routes!(pipeline::layer_output))
        .merge(crate::dashboard::api_routes())
        .split_for_parts();
    responses::add_shared_responses(&mut openapi);
    let router = router
        .merge(docs::router(openapi))
        .merge(crate::dashboard::pages())
        .fallback(not_found)
        // After the fallback, so that unmatched requests are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::telemetry::record,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(crate::extract::check_path));
    let router = match crate::guard::cors(&state.config) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::guard::same_site,
        ))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound {
        what: "route",
        id: uri.path().to_owned(),
    }
}
