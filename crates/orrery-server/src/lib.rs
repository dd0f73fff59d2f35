//! Orrery's HTTP service: an axum REST API over `orrery-engine`.
//!
//! - [`Server::bind`] checks the [`ServerConfig`] (no listening beyond loopback without an
//!   API key and a JWT secret unless `insecure`), starts the engine over the store (the
//!   catalog, the active model, the Redis list cache, the process's one text encoder) and
//!   binds; [`Server::run`] serves until shut down.
//! - [`routes`] are thin: they parse (with [`extract`], whose errors name the field at
//!   fault), check access ([`auth`]), call one engine method, and map errors to
//!   `application/problem+json` ([`problem`]). The OpenAPI document is generated from them
//!   and served at `/openapi.json`, with a browsable page at `/docs`.
//! - [`training`] trains in the background, one run at a time, and keeps versions, metrics
//!   and runs in the store's registry.
//! - The [`dashboard`] at `/dashboard` shows all of it in a browser, from assets compiled
//!   into the binary; [`telemetry`] counts requests and latencies per route for it and for
//!   `/metrics/prometheus`.
//!
//! It holds no ranking: lists come from the engine's flow (the same code `orrery eval`
//! measures), models from `orrery-models`, persistence from `orrery-store`.

pub mod auth;
pub mod config;
pub mod connections;
pub mod dashboard;
pub mod extract;
pub mod guard;
pub mod ids;
pub mod parse_errors;
pub mod problem;
pub mod routes;
mod server;
pub mod sign_in_limit;
pub mod state;
pub mod telemetry;
pub mod training;

pub use config::{ConfigError, ServerConfig};
pub use server::{Server, ServerError};
