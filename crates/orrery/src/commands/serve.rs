//! `orrery serve`: the HTTP service (REST API, OpenAPI at /openapi.json, docs at /docs).
//!
//! Every option is a flag, an `ORRERY_*` environment variable and a key of the `[serve]`
//! table of `orrery.toml` (the flag's name with underscores); [`server_config`] resolves
//! them, flags first, then the environment, then the file, then the defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use orrery_core::EventWeights;
use orrery_engine::cache::CacheSettings;
use orrery_server::connections::ConnectionLimits;
use orrery_server::{Server, ServerConfig};
use serde::Deserialize;

use crate::config::{Config, redact};

const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_TOKEN_TTL: u64 = 3600;
pub(crate) const DEFAULT_COLD_START_THRESHOLD: usize = 5;
const DEFAULT_KEEP_VERSIONS: usize = 5;
const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;
const DEFAULT_REGISTRY_POLL: u64 = 10;
const DEFAULT_REDIS_PREFIX: &str = "orrery";
const DEFAULT_CACHE_TTL_SECS: u64 = 60;

/// Serve recommendations over HTTP.
///
/// Listens on 127.0.0.1:8080 by default, with everything open (as the seeds' examples
/// expect). Any other address needs --api-key and --jwt-secret, or --insecure. Every
/// option can also be set in the `[serve]` table of orrery.toml (flags win, then the
/// environment, then the file).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ORRERY_BIND")]
    pub bind: Option<SocketAddr>,

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

    /// Seconds an access token stays valid [default: 3600].
    #[arg(long, env = "ORRERY_TOKEN_TTL")]
    pub token_ttl: Option<u64>,

    /// Users with fewer interactions get cold-start recommendations [default: 5].
    #[arg(long, env = "ORRERY_COLD_START_THRESHOLD")]
    pub cold_start_threshold: Option<usize>,

    /// Days after which an interaction counts half in a user's content profile (0: all
    /// count fully) [default: 0].
    #[arg(long, env = "ORRERY_HALF_LIFE_DAYS")]
    pub half_life_days: Option<f64>,

    /// Model versions to keep in the registry (pinned and active ones are never pruned)
    /// [default: 5].
    #[arg(long, env = "ORRERY_KEEP_VERSIONS")]
    pub keep_versions: Option<usize>,

    /// Largest request body accepted, in bytes [default: 8388608].
    #[arg(long, env = "ORRERY_BODY_LIMIT")]
    pub body_limit: Option<usize>,

    /// Seconds between checks for a model version activated by another server on the
    /// same database (0: never check) [default: 10].
    #[arg(long, env = "ORRERY_REGISTRY_POLL")]
    pub registry_poll: Option<u64>,

    /// Folder of the all-MiniLM-L6-v2 model that embeds item text (config.json,
    /// tokenizer.json, model.safetensors) [default: found as `orrery eval` finds it].
    #[arg(long, env = "ORRERY_EMBED_MODEL")]
    pub embed_model: Option<PathBuf>,

    /// Redis that caches recommendation lists, shared by every server using it:
    /// `redis://[:PASSWORD@]HOST[:PORT][/DB]`. Without one nothing is cached; when it does
    /// not answer the server serves without it.
    #[arg(long, env = "ORRERY_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Put before every Redis key, so that several deployments share one Redis
    /// [default: orrery].
    #[arg(long, env = "ORRERY_REDIS_PREFIX")]
    pub redis_prefix: Option<String>,

    /// Seconds a cached list is served at most (a stored interaction ends it at once)
    /// [default: 60].
    #[arg(long, env = "ORRERY_CACHE_TTL_SECS")]
    pub cache_ttl_secs: Option<u64>,

    /// Host names answered besides loopback ones, comma-separated. Without an API key
    /// only loopback names and these are answered (a web page cannot reach the open
    /// server through a name of its own); with a key and none given, any name is.
    #[arg(long, env = "ORRERY_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Web origins whose pages may call the API from a browser (CORS), comma-separated,
    /// such as https://shop.example; other sites' pages can write nothing here.
    #[arg(long, env = "ORRERY_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Connections open at once; at the limit the one idle longest is closed for a
    /// newcomer (lowered to what the open-file limit allows) [default: 1024].
    #[arg(long, env = "ORRERY_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// Seconds a connection may wait for its next request [default: 60].
    #[arg(long, env = "ORRERY_IDLE_TIMEOUT")]
    pub idle_timeout: Option<u64>,

    /// Seconds a request's header may take to arrive, from its first byte [default: 10].
    #[arg(long, env = "ORRERY_HEADER_TIMEOUT")]
    pub header_timeout: Option<u64>,

    #[command(flatten)]
    pub pipeline: super::pipeline::ServePipelineArgs,
}

/// The `[serve]` table of `orrery.toml`: the same options, named as the flags with
/// underscores.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub bind: Option<SocketAddr>,
    pub api_key: Option<String>,
    pub jwt_secret: Option<String>,
    pub insecure: Option<bool>,
    pub token_ttl: Option<u64>,
    pub cold_start_threshold: Option<usize>,
    pub half_life_days: Option<f64>,
    pub keep_versions: Option<usize>,
    pub body_limit: Option<usize>,
    pub registry_poll: Option<u64>,
    pub embed_model: Option<PathBuf>,
    pub redis_url: Option<String>,
    pub redis_prefix: Option<String>,
    pub cache_ttl_secs: Option<u64>,
    pub allowed_hosts: Option<Vec<String>>,
    pub allowed_origins: Option<Vec<String>>,
    pub max_connections: Option<usize>,
    pub idle_timeout: Option<u64>,
    pub header_timeout: Option<u64>,
    pub pipeline_out: Option<PathBuf>,
    pub pipeline_source: Option<String>,
    pub pipeline_min_interactions: Option<u64>,
    pub pipeline_min_users: Option<u64>,
    pub pipeline_seed: Option<u64>,
}

/// The server's configuration from the flags and environment (`args`, as clap read them),
/// then the `[serve]` table, then the defaults (the pipeline's files beside the database
/// of `database_url`).
pub fn server_config(
    args: ServeArgs,
    file: &ServeFile,
    weights: &EventWeights,
    database_url: &str,
) -> Result<ServerConfig> {
    let pipeline = args.pipeline.config(file, weights, database_url)?;
    let file = file.clone();
    let bind = match args.bind.or(file.bind) {
        Some(bind) => bind,
        None => DEFAULT_BIND.parse().context("the default address")?,
    };
    let registry_poll = args
        .registry_poll
        .or(file.registry_poll)
        .unwrap_or(DEFAULT_REGISTRY_POLL);
    let cache = args.redis_url.or(file.redis_url).map(|url| CacheSettings {
        url,
        prefix: args
            .redis_prefix
            .or(file.redis_prefix)
            .unwrap_or_else(|| DEFAULT_REDIS_PREFIX.to_owned()),
        ttl: Duration::from_secs(
            args.cache_ttl_secs
                .or(file.cache_ttl_secs)
                .unwrap_or(DEFAULT_CACHE_TTL_SECS),
        ),
    });
    let listed = |flag: Vec<String>, file: Option<Vec<String>>| {
        let values = if flag.is_empty() {
            file.unwrap_or_default()
        } else {
            flag
        };
        values
            .into_iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
    };
    let defaults = ConnectionLimits::default();
    let connections = ConnectionLimits {
        max_connections: args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(defaults.max_connections),
        idle_timeout: args
            .idle_timeout
            .or(file.idle_timeout)
            .map_or(defaults.idle_timeout, Duration::from_secs),
        header_timeout: args
            .header_timeout
            .or(file.header_timeout)
            .map_or(defaults.header_timeout, Duration::from_secs),
    };
    Ok(ServerConfig {
        connections,
        allowed_hosts: listed(args.allowed_hosts, file.allowed_hosts),
        allowed_origins: listed(args.allowed_origins, file.allowed_origins),
        bind,
        api_key: args.api_key.or(file.api_key),
        jwt_secret: args.jwt_secret.or(file.jwt_secret),
        token_ttl: Duration::from_secs(
            args.token_ttl
                .or(file.token_ttl)
                .unwrap_or(DEFAULT_TOKEN_TTL),
        ),
        insecure: args.insecure || file.insecure.unwrap_or(false),
        body_limit: args
            .body_limit
            .or(file.body_limit)
            .unwrap_or(DEFAULT_BODY_LIMIT),
        cold_start_threshold: args
            .cold_start_threshold
            .or(file.cold_start_threshold)
            .unwrap_or(DEFAULT_COLD_START_THRESHOLD),
        half_life_days: args.half_life_days.or(file.half_life_days).unwrap_or(0.0),
        keep_versions: args
            .keep_versions
            .or(file.keep_versions)
            .unwrap_or(DEFAULT_KEEP_VERSIONS),
        weights: weights.clone(),
        registry_poll: (registry_poll > 0).then(|| Duration::from_secs(registry_poll)),
        embed_model: args.embed_model.or(file.embed_model),
        pipeline,
        cache,
        ..ServerConfig::default()
    })
}

pub async fn run(args: ServeArgs, config: &Config) -> Result<()> {
    let server_config = ServerConfig {
        flow: config.flow.clone(),
        impressions: config.impressions.clone(),
        ..server_config(args, &config.serve, &config.weights, &config.database_url)?
    };
    let store = config.open_store().await?;
    let backend = store.backend();
    let server = Server::bind(server_config, store)
        .await
        .context("starting the server")?;
    let cache = match server.state().engine.cache().shown_url() {
        Some(url) => format!("; lists cached in Redis at {url}"),
        None => String::new(),
    };
    eprintln!(
        "orrery serving on http://{} ({backend} at {}{cache}); API docs at /docs",
        server.local_addr(),
        redact(&config.database_url)
    );
    server.run(shutdown_signal()).await.context("serving")?;
    eprintln!("orrery stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// `orrery serve`'s flags alone, as clap reads them.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn flags(args: &[&str]) -> ServeArgs {
        Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap()
            .serve
    }

    const DB: &str = "sqlite:///srv/orrery/orrery.db";

    fn file(text: &str) -> ServeFile {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn without_flags_or_file_the_defaults_hold() {
        let config = server_config(
            ServeArgs::default(),
            &ServeFile::default(),
            &EventWeights::default(),
            "sqlite:///srv/orrery/orrery.db",
        )
        .unwrap();
        let defaults = ServerConfig::default();
        assert_eq!(config.bind, defaults.bind);
        assert_eq!(config.token_ttl, defaults.token_ttl);
        assert_eq!(config.body_limit, defaults.body_limit);
        assert_eq!(config.cold_start_threshold, defaults.cold_start_threshold);
        assert_eq!(config.keep_versions, defaults.keep_versions);
        assert_eq!(config.registry_poll, defaults.registry_poll);
        assert!(config.api_key.is_none() && config.jwt_secret.is_none() && !config.insecure);
        assert!(config.cache.is_none() && config.embed_model.is_none());
        assert_eq!(config.pipeline.out_dir, PathBuf::from("/srv/orrery/output"));
    }

    #[test]
    fn the_file_sets_every_option_and_flags_win_over_it() {
        let table = file(
            r#"
            bind = "127.0.0.1:9001"
            api_key = "file-key"
            jwt_secret = "0123456789abcdef-file"
            insecure = true
            token_ttl = 60
            cold_start_threshold = 3
            keep_versions = 2
            body_limit = 1024
            registry_poll = 0
            embed_model = "/models/minilm"
            redis_url = "redis://127.0.0.1:6379"
            redis_prefix = "file"
            cache_ttl_secs = 30
            pipeline_out = "/tmp/layers"
            pipeline_source = "simulated"
            pipeline_min_interactions = 7
            pipeline_min_users = 3
            pipeline_seed = 11
            "#,
        );
        let from_file =
            server_config(ServeArgs::default(), &table, &EventWeights::default(), DB).unwrap();
        assert_eq!(from_file.bind.to_string(), "127.0.0.1:9001");
        assert_eq!(from_file.api_key.as_deref(), Some("file-key"));
        assert_eq!(
            from_file.jwt_secret.as_deref(),
            Some("0123456789abcdef-file")
        );
        assert!(from_file.insecure);
        assert_eq!(from_file.token_ttl, Duration::from_secs(60));
        assert_eq!(from_file.cold_start_threshold, 3);
        assert_eq!(from_file.keep_versions, 2);
        assert_eq!(from_file.body_limit, 1024);
        assert_eq!(from_file.registry_poll, None);
        assert_eq!(from_file.embed_model, Some(PathBuf::from("/models/minilm")));
        let cache = from_file.cache.unwrap();
        assert_eq!(
            (cache.prefix.as_str(), cache.ttl),
            ("file", Duration::from_secs(30))
        );
        assert_eq!(from_file.pipeline.out_dir, PathBuf::from("/tmp/layers"));
        assert_eq!(from_file.pipeline.source.min_interactions, 7);
        assert_eq!(from_file.pipeline.source.min_users, 3);
        assert_eq!(from_file.pipeline.seed, Some(11));

        let args = flags(&[
            "--bind",
            "127.0.0.1:9002",
            "--cold-start-threshold",
            "8",
            "--redis-prefix",
            "flag",
            "--pipeline-min-users",
            "30",
        ]);
        let flagged = server_config(args, &table, &EventWeights::default(), DB).unwrap();
        assert_eq!(flagged.bind.to_string(), "127.0.0.1:9002");
        assert_eq!(flagged.cold_start_threshold, 8);
        assert_eq!(flagged.cache.unwrap().prefix, "flag");
        assert_eq!(flagged.pipeline.source.min_users, 30);
        // What no flag set still comes from the file.
        assert_eq!(flagged.keep_versions, 2);
        assert_eq!(flagged.pipeline.source.min_interactions, 7);
    }

    #[test]
    fn a_bad_value_in_the_file_is_named() {
        let error = toml::from_str::<ServeFile>("bind = \"not an address\"").unwrap_err();
        assert!(error.to_string().contains("bind"), "{error}");
        let table = file("pipeline_source = \"sometimes\"");
        let error =
            server_config(ServeArgs::default(), &table, &EventWeights::default(), DB).unwrap_err();
        assert!(
            format!("{error:#}").contains("pipeline source"),
            "{error:#}"
        );
    }
}
