//! [`ServerConfig`]: how the service listens, authenticates and serves, and the check that
//! keeps it from listening beyond this machine without credentials.

use std::net::SocketAddr;
use std::time::Duration;

use orrery_core::EventWeights;

/// The shortest JWT secret accepted, not counting blanks.
pub const MIN_JWT_SECRET_BYTES: usize = 16;

/// The longest token lifetime accepted: a year and a day. Longer lifetimes buy nothing a
/// client could not get by signing in again, and a lifetime near `u64::MAX` seconds would
/// overflow the expiry, so that every token would be born expired.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// Everything the service needs to know besides its database.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub bind: SocketAddr,
    /// The admin key, sent as `X-API-Key`. Without one, everything is open (loopback only).
    pub api_key: Option<String>,
    /// The secret that signs access tokens (HS256). Without one, a random secret is drawn at
    /// start, so tokens do not survive a restart or work on another server.
    pub jwt_secret: Option<String>,
    /// How long an access token is valid.
    pub token_ttl: Duration,
    /// Allows a non-loopback address without an API key and a JWT secret.
    pub insecure: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// The history length at which the collaborative model gets half its weight in a list
    /// (users with fewer interactions are described as cold).
    pub cold_start_threshold: usize,
    /// Days after which an interaction counts half in a user's content profile (ages from
    /// the user's newest interaction); 0 counts every interaction fully.
    pub half_life_days: f64,
    /// Model versions kept by the registry (pinned and active ones are never pruned).
    pub keep_versions: usize,
    /// Share of interactions held out to measure each trained model.
    pub validation_ratio: f64,
    /// How events weigh for implicit models (the same as the CLI uses).
    pub weights: EventWeights,
    /// How often to check the registry for a version activated by another server sharing
    /// the database; `None` never checks.
    pub registry_poll: Option<Duration>,
    /// Where `POST /run-layer/{n}` writes, and when it uses the store or a simulation.
    pub pipeline: orrery_pipeline::PipelineConfig,
    /// The Redis that caches recommendation lists, if any.
    pub cache: Option<orrery_engine::cache::CacheSettings>,
    /// The text encoder's model folder, tried before `ORRERY_EMBED_MODEL` and the others.
    pub embed_model: Option<std::path::PathBuf>,
    /// How many candidates each source of the recommendation flow proposes.
    pub flow: orrery_engine::flow::FlowSettings,
    /// What is recorded of served lists and how outcomes count.
    pub impressions: orrery_engine::impressions::ImpressionSettings,
    /// Host names (without port) the server answers to besides the loopback ones. Without
    /// an API key only loopback names and these are answered, so that a web page cannot
    /// reach the open server through a name it controls (DNS rebinding); with a key and
    /// none listed, any name is answered.
    pub allowed_hosts: Vec<String>,
    /// Web origins (`https://shop.example`) whose pages may call the API from a browser:
    /// CORS preflights are answered for these only, and other origins' writes are refused.
    pub allowed_origins: Vec<String>,
    /// Connection count and timeouts.
    pub connections: crate::connections::ConnectionLimits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_key: None,
            jwt_secret: None,
            token_ttl: Duration::from_secs(60 * 60),
            insecure: false,
            body_limit: 8 * 1024 * 1024,
            cold_start_threshold: 5,
            half_life_days: 0.0,
            keep_versions: 5,
            validation_ratio: 0.1,
            weights: EventWeights::default(),
            registry_poll: Some(Duration::from_secs(10)),
            pipeline: orrery_pipeline::PipelineConfig::default(),
            cache: None,
            embed_model: None,
            flow: orrery_engine::flow::FlowSettings::default(),
            impressions: orrery_engine::impressions::ImpressionSettings::default(),
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            connections: crate::connections::ConnectionLimits::default(),
        }
    }
}

/// A configuration the service refuses to run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Listening beyond loopback without credentials.
    #[error(
        "refusing to listen on {bind} without {missing}: anyone who can reach it could change \
         the catalog and the models; set --api-key and --jwt-secret (or ORRERY_API_KEY and \
         ORRERY_JWT_SECRET), bind 127.0.0.1, or pass --insecure to accept the risk"
    )]
    InsecureBind {
        /// The address asked for.
        bind: SocketAddr,
        /// What is missing.
        missing: &'static str,
    },
    /// A value out of range.
    #[error("invalid {name}: {reason}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl ServerConfig {
    /// Checks the configuration: a non-loopback address needs an API key and a JWT secret
    /// unless `insecure` is set; blank secrets and token lifetimes that cannot work are
    /// refused, naming the flag that set them.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(key) = &self.api_key
            && key.trim().is_empty()
        {
            return Err(ConfigError::Invalid {
                name: "--api-key (ORRERY_API_KEY)",
                reason: "it is empty or only blanks, which anyone could guess; omit it or give \
                         a long random key"
                    .into(),
            });
        }
        if let Some(secret) = &self.jwt_secret {
            // Blanks count as nothing: sixteen spaces are as guessable as no secret.
            if secret.trim().len() < MIN_JWT_SECRET_BYTES {
                return Err(ConfigError::Invalid {
                    name: "--jwt-secret (ORRERY_JWT_SECRET)",
                    reason: format!(
                        "it has fewer than {MIN_JWT_SECRET_BYTES} bytes besides blanks; use a \
                         long random string"
                    ),
                });
            }
        }
        if self.token_ttl.is_zero() || self.token_ttl > MAX_TOKEN_TTL {
            return Err(ConfigError::Invalid {
                name: "--token-ttl (ORRERY_TOKEN_TTL)",
                reason: format!(
                    "{} s is not a token lifetime from 1 s to {} s (366 days)",
                    self.token_ttl.as_secs(),
                    MAX_TOKEN_TTL.as_secs()
                ),
            });
        }
        if !(0.0..1.0).contains(&self.validation_ratio) {
            return Err(ConfigError::Invalid {
                name: "validation ratio",
                reason: format!("{} is not in [0, 1)", self.validation_ratio),
            });
        }
        if !(self.half_life_days.is_finite() && self.half_life_days >= 0.0) {
            return Err(ConfigError::Invalid {
                name: "half-life",
                reason: format!(
                    "{} days is not a number of days ≥ 0 (0 turns time decay off)",
                    self.half_life_days
                ),
            });
        }
        if self.keep_versions == 0 {
            return Err(ConfigError::Invalid {
                name: "versions to keep",
                reason: "keep at least 1".into(),
            });
        }
        if self.cache.as_ref().is_some_and(|c| c.ttl.is_zero()) {
            return Err(ConfigError::Invalid {
                name: "cache TTL",
                reason: "0 s would cache nothing; give at least 1 s, or no Redis URL".into(),
            });
        }
        let limits = &self.connections;
        if limits.max_connections == 0 {
            return Err(ConfigError::Invalid {
                name: "--max-connections (ORRERY_MAX_CONNECTIONS)",
                reason: "0 connections would serve nobody; allow at least 1".into(),
            });
        }
        for (name, timeout) in [
            ("--idle-timeout (ORRERY_IDLE_TIMEOUT)", limits.idle_timeout),
            (
                "--header-timeout (ORRERY_HEADER_TIMEOUT)",
                limits.header_timeout,
            ),
        ] {
            if timeout.is_zero() || timeout > Duration::from_secs(24 * 60 * 60) {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!("{} s is not a timeout from 1 s to a day", timeout.as_secs()),
                });
            }
        }
        for host in &self.allowed_hosts {
            if host.is_empty() || host.contains(['/', ':', ' ', ',']) {
                return Err(ConfigError::Invalid {
                    name: "--allowed-hosts (ORRERY_ALLOWED_HOSTS)",
                    reason: format!(
                        "{host:?} is not a host name: give names without scheme or port, \
                         such as recs.example.org"
                    ),
                });
            }
        }
        for origin in &self.allowed_origins {
            if crate::guard::parse_origin(origin).is_none() {
                return Err(ConfigError::Invalid {
                    name: "--allowed-origins (ORRERY_ALLOWED_ORIGINS)",
                    reason: format!(
                        "{origin:?} is not a web origin: give scheme, host and port if not \
                         the default, such as https://shop.example or http://localhost:3000"
                    ),
                });
            }
        }
        if self.bind.ip().is_loopback() || self.insecure {
            return Ok(());
        }
        let missing = match (self.api_key.is_some(), self.jwt_secret.is_some()) {
            (true, true) => return Ok(()),
            (false, false) => "an API key and a JWT secret",
            (false, true) => "an API key",
            (true, false) => "a JWT secret",
        };
        Err(ConfigError::InsecureBind {
            bind: self.bind,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_runs_without_credentials() {
        let mut c = ServerConfig::default();
        assert_eq!(c.validate(), Ok(()));
        c.bind = "0.0.0.0:8080".parse().unwrap();
        let err = c.validate().unwrap_err();
        assert!(
            err.to_string().contains("an API key and a JWT secret"),
            "{err}"
        );
        c.api_key = Some("k".into());
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("a JWT secret")
        );
        c.jwt_secret = Some("0123456789abcdef0123".into());
        assert_eq!(c.validate(), Ok(()));
        c.api_key = None;
        c.insecure = true;
        assert_eq!(c.validate(), Ok(()));
        c.bind = "[::1]:80".parse().unwrap();
        c.insecure = false;
        assert_eq!(c.validate(), Ok(()));
        c.jwt_secret = Some("short".into());
        assert!(c.validate().is_err());
    }

    #[test]
    fn blank_secrets_and_unworkable_token_lifetimes_are_refused_by_flag() {
        let refused = |c: &ServerConfig, flag: &str| {
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(flag), "{err}");
        };
        let mut c = ServerConfig {
            api_key: Some(" \t".into()),
            ..ServerConfig::default()
        };
        refused(&c, "--api-key");
        c.api_key = Some("a-real-key".into());
        c.jwt_secret = Some(" ".repeat(16));
        refused(&c, "--jwt-secret");
        c.jwt_secret = Some(format!("{}short", " ".repeat(16)));
        refused(&c, "--jwt-secret");
        c.jwt_secret = Some("0123456789abcdef".into());
        assert_eq!(c.validate(), Ok(()));
        for secs in [0, u64::MAX, MAX_TOKEN_TTL.as_secs() + 1] {
            c.token_ttl = Duration::from_secs(secs);
            refused(&c, "--token-ttl");
        }
        c.token_ttl = MAX_TOKEN_TTL;
        assert_eq!(c.validate(), Ok(()));
    }
}
