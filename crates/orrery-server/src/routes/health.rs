//! `GET /`, `GET /health` and `GET /recommendations/health`: is the service up, which
//! database it uses, which model it serves, and whether its list cache answers.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// The model being served.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveModel {
    /// Registry version.
    pub version: i64,
    /// Algorithm.
    pub algorithm: String,
    /// Users it was trained on.
    pub n_users: u64,
    /// Items it can score.
    pub n_items: u64,
    /// Unix seconds.
    pub created_at: i64,
}

impl ActiveModel {
    fn of(m: &orrery_engine::ServingModel) -> ActiveModel {
        ActiveModel {
            version: m.version(),
            algorithm: m.info.algorithm.clone(),
            n_users: m.info.n_users,
            n_items: m.info.n_items,
            created_at: m.info.created_at,
        }
    }
}

/// The database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Database {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Whether a query just succeeded.
    pub reachable: bool,
}

/// The text encoder that embeds items and interests, and how far the catalog is embedded.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextEncoder {
    /// `all-MiniLM-L6-v2`, or `feature-hashing-384` when the model was not found.
    pub name: String,
    /// `true` when feature hashing stands in for the model (not semantic: see `description`).
    pub fallback: bool,
    /// Which encoder, where its model came from, or why the fallback runs.
    pub description: String,
    /// Live items with a stored embedding.
    pub items_embedded: usize,
    /// Live items with text still waiting for theirs (the content side uses categories
    /// and tags until none is).
    pub items_pending: usize,
}

/// Service health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    pub status: String,
    /// Always `orrery`.
    pub service: String,
    /// The service version.
    pub version: String,
    /// The database.
    pub database: Database,
    /// The model lists are ranked with, if any: the active ranking model, else the active
    /// rating model.
    pub active_model: Option<ActiveModel>,
    /// The model predicted ratings come from when it is not `active_model`: the active
    /// rating model beside a ranking model.
    pub rating_model: Option<ActiveModel>,
    /// Items that can be recommended.
    pub catalog_items: usize,
    /// The text encoder and the embedding of the catalog.
    pub text_encoder: TextEncoder,
    /// Whether a training is running.
    pub training: bool,
    /// The Redis cache of recommendation lists.
    pub cache: orrery_engine::cache::CacheHealth,
    /// Seconds since the service started.
    pub uptime_seconds: f64,
}

async fn text_encoder(
    state: &AppState,
    catalog: &std::sync::Arc<orrery_engine::Catalog>,
) -> TextEncoder {
    let encoder = state.engine.encoder().await;
    let content = state.engine.content().state(catalog);
    TextEncoder {
        name: encoder.info().name.to_owned(),
        fallback: encoder.is_fallback(),
        description: encoder.describe(),
        items_embedded: content.embedded,
        items_pending: content.pending,
    }
}

async fn health_of(state: &AppState) -> Health {
    // One indexed lookup: cheap enough for probes, and it fails when the database does.
    let reachable = state.store.user_exists("").await.is_ok();
    let snapshot = state.engine.snapshot();
    Health {
        status: if reachable { "ok" } else { "degraded" }.into(),
        service: "orrery".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: Database {
            backend: state.store.backend().to_string(),
            reachable,
        },
        active_model: snapshot.model.as_deref().map(ActiveModel::of),
        rating_model: snapshot.rating_beside_lists().map(|m| ActiveModel::of(m)),
        catalog_items: snapshot.catalog.len(),
        text_encoder: text_encoder(state, &snapshot.catalog).await,
        training: state.trainer.status().running,
        cache: state.engine.cache().check().await,
        uptime_seconds: state.started.elapsed().as_secs_f64(),
    }
}

/// Service health (same as `/health`).
#[utoipa::path(get, path = "/", tag = "health", responses((status = 200, body = Health)))]
pub async fn root(State(state): State<AppState>) -> Json<Health> {
    Json(health_of(&state).await)
}

/// Service health: version, database, active model.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(health_of(&state).await)
}

/// Whether recommendations can be served: the database, the loaded model and the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommenderHealth {
    /// `healthy`, or `degraded` when the database does not answer.
    pub status: String,
    /// Whether a trained model is loaded (without one, lists come from popularity and
    /// content).
    pub model_loaded: bool,
    /// The model's version.
    pub model_version: Option<i64>,
    /// Its algorithm.
    pub algorithm: Option<String>,
    /// Items that can be recommended.
    pub catalog_items: usize,
}

/// Whether recommendations can be served.
#[utoipa::path(get, path = "/recommendations/health", tag = "health",
    responses((status = 200, body = RecommenderHealth)))]
pub async fn recommendations_health(State(state): State<AppState>) -> Json<RecommenderHealth> {
    let health = health_of(&state).await;
    Json(RecommenderHealth {
        status: if health.database.reachable {
            "healthy"
        } else {
            "degraded"
        }
        .into(),
        model_loaded: health.active_model.is_some(),
        model_version: health.active_model.as_ref().map(|m| m.version),
        algorithm: health.active_model.map(|m| m.algorithm),
        catalog_items: health.catalog_items,
    })
}
