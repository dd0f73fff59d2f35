//! [`AppState`]: what every handler reaches: the store, the engine, the trainer, the
//! access rules and sign-in limits, the list cache and the configuration.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use orrery_store::Store;

use crate::auth::Auth;
use crate::config::ServerConfig;
use crate::sign_in_limit::SignInLimit;
use crate::telemetry::Telemetry;
use crate::training::Trainer;
use orrery_engine::Engine;

/// The shared state of the service; cloning is cheap.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
pub struct Shared {
    /// The database.
    pub store: Store,
    /// The serving engine.
    pub engine: Arc<Engine>,
    /// Background training.
    pub trainer: Trainer,
    /// Access rules.
    pub auth: Auth,
    /// How often sign-in may be tried.
    pub sign_in_limit: SignInLimit,
    /// The configuration.
    pub config: ServerConfig,
    /// When the service started.
    pub started: Instant,
    /// Request counters and latencies.
    pub telemetry: Telemetry,
}

impl AppState {
    /// State from its parts.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
