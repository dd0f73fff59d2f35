//! [`Server`]: binds the address, assembles the state and serves until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::ServiceExt;
use axum::extract::Request;
use orrery_store::{Changes, Store};
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{Auth, Tokens};
use crate::config::{ConfigError, ServerConfig};
use crate::connections::Connections;
use crate::parse_errors::{PeerAddr, ProblemListener};
use crate::problem::error_chain;
use crate::state::{AppState, Shared};
use crate::training::{Trainer, unix_now};
use orrery_content::{EncoderOptions, SharedEncoder};
use orrery_engine::cache::ListCache;
use orrery_engine::{Engine, EngineError, EngineSettings};

/// How long a stopping server waits for a running training to reach a point where it can
/// stop (the end of an epoch or a phase) before recording it cancelled and exiting anyway.
pub const TRAINING_STOP_GRACE: Duration = Duration::from_secs(10);

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Redis URL is malformed.
    #[error(transparent)]
    Cache(#[from] orrery_engine::cache::CacheConfigError),
    /// The engine could not read the store.
    #[error("cannot load the catalog and the active model: {}", error_chain(.0))]
    Engine(#[from] EngineError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}; pick another --bind address or stop what uses it")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A bound, ready service.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    /// Other servers' announcements, heard from before the engine read the store.
    changes: Option<Changes>,
}

impl Server {
    /// Checks `config`, loads the catalog and the active model from `store` and binds the
    /// address. Training runs left unfinished by a previous process are marked failed.
    pub async fn bind(config: ServerConfig, store: Store) -> Result<Server, ServerError> {
        config.validate()?;
        let encoder = SharedEncoder::new(EncoderOptions {
            model_dir: config.embed_model.clone(),
            ..EncoderOptions::default()
        });
        let cache = match &config.cache {
            Some(settings) => ListCache::new(settings)?,
            None => ListCache::disabled(),
        };
        let interrupted = store
            .fail_unfinished_training_runs("the server stopped before the run finished", unix_now())
            .await
            .map_err(EngineError::from)?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "training runs were interrupted by a previous stop"
            );
        }
        // Listening before the engine reads the store: a change another server makes
        // meanwhile is then heard (and applied twice at worst) instead of lost.
        let changes = match store.subscribe().await {
            Ok(changes) => changes,
            Err(e) => {
                tracing::warn!(
                    "cannot hear other servers' changes ({}); their writes reach this server's \
                     cached users only when they are read again",
                    error_chain(&e)
                );
                None
            }
        };
        let engine = Arc::new(
            Engine::start(
                store.clone(),
                EngineSettings {
                    cold_start_threshold: config.cold_start_threshold,
                    half_life_days: config.half_life_days,
                    weights: config.weights.clone(),
                    encoder,
                    flow: config.flow.clone(),
                    impressions: config.impressions.clone(),
                },
                cache,
            )
            .await?,
        );
        let listener =
            TcpListener::bind(config.bind)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.bind,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
        if let Some(url) = engine.cache().shown_url() {
            // A Redis that does not answer is logged by the check itself.
            if engine.cache().check().await.status == "ok" {
                tracing::info!(redis = url, "recommendation lists are cached in Redis");
            }
        }
        let tokens = Tokens::new(config.jwt_secret.as_deref(), config.token_ttl);
        let state = AppState::new(Shared {
            trainer: Trainer::new(
                engine.clone(),
                config.keep_versions,
                config.validation_ratio,
            ),
            auth: Auth::new(config.api_key.clone(), tokens),
            sign_in_limit: Default::default(),
            store,
            engine,
            config,
            started: Instant::now(),
            telemetry: crate::telemetry::Telemetry::new(),
        });
        Ok(Server {
            changes,
            listener,
            addr,
            state,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for tests and embedding).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish and stops a
    /// running training (see [`TRAINING_STOP_GRACE`]).
    pub async fn run(
        mut self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let follower = self.state.config.registry_poll.map(|every| {
            let engine = self.state.engine.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    match engine.follow_registry().await {
                        Ok(versions) => {
                            for version in versions {
                                tracing::info!(
                                    version,
                                    "serving the version the registry marks active"
                                );
                            }
                        }
                        Err(e) => {
                            tracing::warn!("checking the registry failed: {}", error_chain(&e))
                        }
                    }
                }
            })
        });
        let listener = self.follow_other_servers();
        // Items are embedded in the background, off the request path.
        let embedder = tokio::spawn(orrery_engine::embedder::run(self.state.engine.clone()));
        let router = crate::routes::router(self.state.clone()).layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The path only: clients put keys and tokens in query strings, and a log
                // is read by more people than the keys are meant for.
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    version = ?request.version(),
                )
            }),
        );
        // Outermost, so that a connection counts as busy for everything a request does.
        let router = router.layer(axum::middleware::from_fn(
            crate::connections::track_requests,
        ));
        // Before routing, so that the seeds' `/users/` reaches `/users`.
        let app = NormalizePathLayer::trim_trailing_slash().layer(router);
        // With the peer's address, which limits sign-in attempts per client.
        let make_service =
            ServiceExt::<Request>::into_make_service_with_connect_info::<PeerAddr>(app);
        let accepting = ProblemListener {
            listener: self.listener,
            connections: Connections::new(self.state.config.connections),
        };
        let served = axum::serve(accepting, make_service)
            .with_graceful_shutdown(shutdown)
            .await;
        if let Some(follower) = follower {
            follower.abort();
        }
        if let Some(listener) = listener {
            listener.abort();
        }
        embedder.abort();
        self.state.trainer.shutdown(TRAINING_STOP_GRACE).await;
        served
    }

    /// On a database other servers share (PostgreSQL), applies their change announcements
    /// to this server's caches (and the list cache), so that feedback sent to one server shapes the next answer
    /// of every other. `None` when there is nobody to hear.
    fn follow_other_servers(&mut self) -> Option<tokio::task::JoinHandle<()>> {
        let engine = self.state.engine.clone();
        let mut changes = self.changes.take()?;
        Some(tokio::spawn(async move {
            loop {
                match changes.next().await {
                    Ok(change) => {
                        if let Err(e) = engine.apply_remote(change).await {
                            tracing::warn!("applying another server's change failed: {e}");
                        }
                    }
                    Err(e) => {
                        tracing::warn!("listening to other servers failed: {}", error_chain(&e));
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        }))
    }
}
