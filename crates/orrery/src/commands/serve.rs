//! `orrery serve`: the HTTP service (REST API, OpenAPI at /openapi.json, docs at /docs).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use orrery_server::cache::CacheSettings;
use orrery_server::{Server, ServerConfig};

use crate::config::{Config, redact};

/// Serve recommendations over HTTP.
///
/// Listens on 127.0.0.1:8080 by default, with everything open (as the seeds' examples
/// expect). Any other address needs --api-key and --jwt-secret, or --insecure.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ORRERY_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Admin key, sent by clients as `X-API-Key`; needed for training, model management,
    /// catalog writes and bulk deletes once set.
    #[arg(long, env = "ORRERY_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// Secret that signs access tokens (at least 16 bytes). Without one a random secret is
    /// drawn at start, so tokens end with the process.
    #[arg(long, env = "ORRERY_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Listen beyond loopback without an API key and a JWT secret.
    #[arg(long)]
    pub insecure: bool,

    /// Seconds an access token stays valid.
    #[arg(long, env = "ORRERY_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl: u64,

    /// Users with fewer interactions get cold-start recommendations.
    #[arg(long, env = "ORRERY_COLD_START_THRESHOLD", default_value_t = 5)]
    pub cold_start_threshold: usize,

    /// Model versions to keep in the registry (pinned and active ones are never pruned).
    #[arg(long, env = "ORRERY_KEEP_VERSIONS", default_value_t = 5)]
    pub keep_versions: usize,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ORRERY_BODY_LIMIT", default_value_t = 8 * 1024 * 1024)]
    pub body_limit: usize,

    /// Seconds between checks for a model version activated by another server on the
    /// same database (0: never check).
    #[arg(long, env = "ORRERY_REGISTRY_POLL", default_value_t = 10)]
    pub registry_poll: u64,

    /// Redis that caches recommendation lists, shared by every server using it:
    /// `redis://[:PASSWORD@]HOST[:PORT][/DB]`. Without one nothing is cached; when it does
    /// not answer the server serves without it.
    #[arg(long, env = "ORRERY_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Put before every Redis key, so that several deployments share one Redis.
    #[arg(long, env = "ORRERY_REDIS_PREFIX", default_value = "orrery")]
    pub redis_prefix: String,

    /// Seconds a cached list is served at most (a stored interaction ends it at once).
    #[arg(long, env = "ORRERY_CACHE_TTL_SECS", default_value_t = 60)]
    pub cache_ttl_secs: u64,

    #[command(flatten)]
    pub pipeline: super::pipeline::ServePipelineArgs,
}

pub async fn run(args: ServeArgs, config: &Config) -> Result<()> {
    let store = config.open_store().await?;
    let backend = store.backend();
    let server = Server::bind(
        ServerConfig {
            bind: args.bind,
            api_key: args.api_key,
            jwt_secret: args.jwt_secret,
            token_ttl: Duration::from_secs(args.token_ttl),
            insecure: args.insecure,
            body_limit: args.body_limit,
            cold_start_threshold: args.cold_start_threshold,
            keep_versions: args.keep_versions,
            weights: config.weights.clone(),
            registry_poll: (args.registry_poll > 0)
                .then(|| Duration::from_secs(args.registry_poll)),
            pipeline: args.pipeline.config(&config.weights)?,
            cache: args.redis_url.map(|url| CacheSettings {
                url,
                prefix: args.redis_prefix,
                ttl: Duration::from_secs(args.cache_ttl_secs),
            }),
            ..ServerConfig::default()
        },
        store,
    )
    .await
    .context("starting the server")?;
    eprintln!(
        "orrery serving on http://{} ({backend} at {}); API docs at /docs",
        server.local_addr(),
        redact(&config.database_url)
    );
    server.run(shutdown_signal()).await.context("serving")?;
    eprintln!("orrery stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
