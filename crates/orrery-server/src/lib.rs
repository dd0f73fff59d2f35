//! Orrery's HTTP service: an axum REST API over the store and the serving engine.
//!
//! - [`Server::bind`] checks the [`ServerConfig`] (no listening beyond loopback without an
//!   API key and a JWT secret unless `insecure`), loads the catalog and the active model,
//!   and binds; [`Server::run`] serves until shut down.
//! - [`routes`] are thin: they parse (with [`extract`], whose errors name the field at
//!   fault), check access ([`auth`]), call the [`engine`] or the store, and map errors to
//!   `application/problem+json` ([`problem`]). The OpenAPI document is generated from them
//!   and served at `/openapi.json`, with a browsable page at `/docs`.
//! - The [`engine`] holds the catalog and the active model behind an atomic swap and
//!   answers recommendations, cold start, similar items, predictions and explanations,
//!   folding each user's newest interactions in on their next request.
//! - The [`cache`] keeps recommendation lists in Redis for a short time when one is
//!   configured, shared by every server on it and invalidated by any stored interaction.
//! - [`training`] trains in the background, one run at a time, and keeps versions, metrics
//!   and runs in the store's registry.
//! - The [`dashboard`] at `/dashboard` shows all of it in a browser, from assets compiled
//!   into the binary; [`telemetry`] counts requests and latencies per route for it and for
//!   `/metrics/prometheus`.
//!
//! It is not a library of algorithms: models come from `orrery-models`, metrics from
//! `orrery-eval`, persistence from `orrery-store`.

pub mod auth;
pub mod cache;
pub mod config;
pub mod dashboard;
pub mod embedder;
pub mod engine;
pub mod extract;
pub mod ids;
pub mod parse_errors;
pub mod problem;
pub mod routes;
mod server;
pub mod sign_in_limit;
pub mod state;
pub mod telemetry;
pub mod text_encoder;
pub mod training;

pub use config::{ConfigError, ServerConfig};
pub use server::{Server, ServerError};
