//! [`ListCache`]: recommendation lists kept in Redis for a short time, shared by every
//! server that uses the same Redis, and never stale about what a user has seen.
//!
//! A list is stored under a key made of the user, the model version that served it, a
//! digest of the request's options and two generation counters kept in Redis: the user's
//! (incremented whenever one of their interactions or their record is stored, on any
//! server) and a global one (incremented when items change or announcements may have
//! been missed). A write moves the counter, so every later request reads another key:
//! nothing needs deleting, and a list computed from data older than the write can only
//! land under a key nobody reads any more. Old keys expire with the TTL.
//!
//! Redis is an optimisation, never a dependency: when it does not answer, requests are
//! computed as without a cache (a failed attempt holds further ones off for a second), the
//! health endpoint says so, and invalidations that could not be written are kept and
//! written first when Redis answers again.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::RecommendOptions;

/// How to reach Redis and how long lists live there.
#[derive(Clone)]
pub struct CacheSettings {
    /// `redis://[:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://`).
    pub url: String,
    /// Put before every key, so that several deployments (or tests) share one Redis.
    pub prefix: String,
    /// How long a list is served from the cache at most.
    pub ttl: Duration,
}

impl std::fmt::Debug for CacheSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheSettings")
            .field("url", &redact(&self.url))
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The settings cannot work.
#[derive(Debug, thiserror::Error)]
#[error("invalid Redis URL {url:?}: {reason}")]
pub struct CacheConfigError {
    url: String,
    reason: String,
}

/// What a lookup found.
pub enum Lookup {
    /// No cache configured, or Redis does not answer: compute the list.
    Bypass,
    /// The serialized response.
    Hit(Vec<u8>),
    /// Not cached: compute the list, then [`ListCache::store`] it in this slot.
    Miss(Slot),
}

/// Where a computed list goes.
pub struct Slot {
    key: String,
}

impl Slot {
    /// The Redis key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The cache's state, for `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CacheHealth {
    /// `off` (no Redis configured), `ok`, or `unavailable` (Redis does not answer: every
    /// list is computed, as without a cache).
    pub status: String,
    /// Seconds a list is served from the cache at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
    /// Why Redis is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Lists cached in Redis, or nothing when no Redis is configured.
pub struct ListCache {
    redis: Option<Redis>,
}

struct Redis {
    connection: ConnectionManager,
    prefix: String,
    ttl: Duration,
    /// The URL without its password, for messages.
    shown_url: String,
    state: Mutex<Availability>,
    /// Invalidations Redis did not take; written before anything else once it answers.
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Availability {
    /// The last failure, while Redis is considered down.
    error: Option<String>,
    /// No attempt before this instant (after a failure).
    retry_at: Option<Instant>,
}

#[derive(Default)]
struct Pending {
    users: HashSet<String>,
    everything: bool,
}

/// Beyond this many users waiting for an invalidation, everything is invalidated instead.
const MAX_PENDING_USERS: usize = 10_000;
/// How long one Redis command may take before the request goes on without the cache.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(250);
/// How long after a failure the cache is left alone.
const RETRY_AFTER: Duration = Duration::from_secs(1);

impl ListCache {
    /// No cache: every lookup bypasses.
    pub fn disabled() -> ListCache {
        ListCache { redis: None }
    }

    /// A cache over the Redis `settings` name. Connects lazily: an unreachable Redis is not
    /// an error here (see [`ListCache::check`]), a malformed URL is.
    pub fn new(settings: &CacheSettings) -> Result<ListCache, CacheConfigError> {
        let invalid = |reason: String| CacheConfigError {
            url: redact(&settings.url),
            reason,
        };
        let client =
            redis::Client::open(settings.url.as_str()).map_err(|e| invalid(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            // Retries would hold requests; the next request tries again instead.
            .set_number_of_retries(0);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(ListCache {
            redis: Some(Redis {
                connection,
                prefix: settings.prefix.clone(),
                ttl: settings.ttl.max(Duration::from_secs(1)),
                shown_url: redact(&settings.url),
                state: Mutex::new(Availability::default()),
                pending: Mutex::new(Pending::default()),
            }),
        })
    }

    /// Whether a Redis is configured.
    pub fn enabled(&self) -> bool {
        self.redis.is_some()
    }

    /// The Redis URL without its password, when one is configured.
    pub fn shown_url(&self) -> Option<&str> {
        self.redis.as_ref().map(|r| r.shown_url.as_str())
    }

    /// Asks Redis whether it answers (whatever the hold-off after a failure), and reports.
    pub async fn check(&self) -> CacheHealth {
        let Some(redis) = &self.redis else {
            return CacheHealth {
                status: "off".into(),
                ttl_seconds: None,
                error: None,
            };
        };
        let answered = redis
            .run(redis::cmd("PING").to_owned(), |cmd, mut conn| async move {
                cmd.query_async::<String>(&mut conn).await
            })
            .await;
        let answered = match answered {
            Ok(_) => redis.flush_pending().await,
            Err(e) => Err(e),
        };
        CacheHealth {
            status: if answered.is_ok() {
                "ok"
            } else {
                "unavailable"
            }
            .into(),
            ttl_seconds: Some(redis.ttl.as_secs()),
            error: answered.err(),
        }
    }

    /// Looks up the list `options` ask of `user` under model `version`, in the
    /// experiment variant `arm` the user is assigned to (`experiment/variant`), if any.
    pub async fn lookup(
        &self,
        user: &str,
        version: Option<i64>,
        arm: Option<&str>,
        options: &RecommendOptions,
    ) -> Lookup {
        let Some(redis) = &self.redis else {
            return Lookup::Bypass;
        };
        if !redis.may_try() || redis.flush_pending().await.is_err() {
            return Lookup::Bypass;
        }
        let generations = redis
            .run(
                redis::cmd("MGET")
                    .arg(redis.user_generation_key(user))
                    .arg(redis.global_generation_key())
                    .to_owned(),
                |cmd, mut conn| async move { cmd.query_async::<Vec<Option<u64>>>(&mut conn).await },
            )
            .await;
        let Ok([user_generation, global_generation]) =
            generations.map(|g| [0, 1].map(|i| g.get(i).copied().flatten().unwrap_or(0)))
        else {
            return Lookup::Bypass;
        };
        let key = format!(
            "{}:recs:{}:{}:{user_generation}:{global_generation}:{}:{user}",
            redis.prefix,
            version.map_or_else(|| "none".to_owned(), |v| v.to_string()),
            arm.unwrap_or("-"),
            options_digest(options),
        );
        let found = redis
            .run(
                redis::cmd("GET").arg(&key).to_owned(),
                |cmd, mut conn| async move { cmd.query_async::<Option<Vec<u8>>>(&mut conn).await },
            )
            .await;
        match found {
            Ok(Some(body)) => Lookup::Hit(body),
            Ok(None) => Lookup::Miss(Slot { key }),
            Err(_) => Lookup::Bypass,
        }
    }

    /// Stores a computed list in its slot for the TTL.
    pub async fn store(&self, slot: Slot, body: &[u8]) {
        let Some(redis) = &self.redis else {
            return;
        };
        let _ = redis
            .run(
                redis::cmd("SET")
                    .arg(&slot.key)
                    .arg(body)
                    .arg("EX")
                    .arg(redis.ttl.as_secs())
                    .to_owned(),
                |cmd, mut conn| async move { cmd.query_async::<()>(&mut conn).await },
            )
            .await;
    }

    /// These users' interactions or records changed: their cached lists are never read
    /// again. Call it after the change is stored.
    pub async fn users_changed<'a>(&self, users: impl IntoIterator<Item = &'a str>) {
        let Some(redis) = &self.redis else {
            return;
        };
        if let Ok(mut pending) = redis.pending.lock() {
            pending.users.extend(users.into_iter().map(str::to_owned));
        }
        redis.flush_pending_unless_held_off().await;
    }

    /// Items changed, or changes may have been missed: no cached list is read again.
    pub async fn everything_changed(&self) {
        let Some(redis) = &self.redis else {
            return;
        };
        if let Ok(mut pending) = redis.pending.lock() {
            pending.everything = true;
            pending.users.clear();
        }
        redis.flush_pending_unless_held_off().await;
    }

    /// Follows a change another server announced on the shared database: that server
    /// invalidated the lists itself, but this one may have computed one from the data it
    /// held before it heard of the change, so it invalidates again once it has.
    pub async fn apply_remote(&self, change: &orrery_store::Change) {
        match change {
            orrery_store::Change::Users(users) => {
                self.users_changed(users.iter().map(String::as_str)).await
            }
            orrery_store::Change::Items(_)
            | orrery_store::Change::Imported
            | orrery_store::Change::Unknown => self.everything_changed().await,
            // The model version and the experiment's variant are part of every key.
            orrery_store::Change::ActiveModel | orrery_store::Change::Experiments => {}
        }
    }
}

impl Redis {
    fn user_generation_key(&self, user: &str) -> String {
        format!("{}:gen:{user}", self.prefix)
    }

    fn global_generation_key(&self) -> String {
        format!("{}:gen-all", self.prefix)
    }

    /// Whether the hold-off after a failure is over.
    fn may_try(&self) -> bool {
        self.state
            .lock()
            .map(|s| s.retry_at.is_none_or(|at| Instant::now() >= at))
            .unwrap_or(true)
    }

    /// Runs one command (or pipeline) with a timeout, recording whether Redis answered.
    async fn run<C, T, F, Fut>(&self, command: C, send: F) -> Result<T, String>
    where
        F: FnOnce(C, ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let outcome =
            tokio::time::timeout(COMMAND_TIMEOUT * 2, send(command, self.connection.clone())).await;
        let result = match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {:?}", COMMAND_TIMEOUT * 2)),
        };
        let Ok(mut state) = self.state.lock() else {
            return result;
        };
        match &result {
            Ok(_) => {
                if state.error.take().is_some() {
                    tracing::info!(redis = %self.shown_url, "Redis answers again: recommendation lists are cached");
                }
                state.retry_at = None;
            }
            Err(e) => {
                if state.error.is_none() {
                    tracing::warn!(
                        redis = %self.shown_url,
                        "Redis does not answer ({e}): serving recommendations without the cache until it does"
                    );
                }
                state.error = Some(e.clone());
                state.retry_at = Some(Instant::now() + RETRY_AFTER);
            }
        }
        result
    }

    /// Writes the pending invalidations now, or, during the hold-off after a failure, leaves
    /// them for the first command after it (a lookup or the health check), which writes them
    /// before anything else: a write request does not wait for a Redis that just failed.
    async fn flush_pending_unless_held_off(&self) {
        if self.may_try() {
            let _ = self.flush_pending().await;
        }
    }

    /// Writes the invalidations Redis has not taken yet; an error leaves them pending.
    async fn flush_pending(&self) -> Result<(), String> {
        let (users, everything) = match self.pending.lock() {
            Ok(mut pending) => {
                if pending.users.len() > MAX_PENDING_USERS {
                    pending.users.clear();
                    pending.everything = true;
                }
                (
                    pending.users.drain().collect::<Vec<_>>(),
                    std::mem::take(&mut pending.everything),
                )
            }
            Err(_) => return Ok(()),
        };
        if users.is_empty() && !everything {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        // A user's counter outlives any list stored under it, so that when it expires (and
        // counts from zero again) no list of an earlier zero is left to be read.
        let counter_life = self.ttl.as_secs() * 2 + 60;
        for user in &users {
            let key = self.user_generation_key(user);
            pipe.cmd("INCR").arg(&key).ignore();
            pipe.cmd("EXPIRE").arg(&key).arg(counter_life).ignore();
        }
        if everything {
            pipe.cmd("INCR").arg(self.global_generation_key()).ignore();
        }
        let written = self
            .run(pipe, |pipe, mut conn| async move {
                pipe.query_async::<()>(&mut conn).await
            })
            .await;
        if written.is_err()
            && let Ok(mut pending) = self.pending.lock()
        {
            pending.users.extend(users);
            pending.everything |= everything;
        }
        written
    }
}

/// A digest of everything in `options` that shapes the list (exclusions in any order).
fn options_digest(options: &RecommendOptions) -> String {
    let RecommendOptions {
        n,
        offset,
        exclude,
        category,
        use_cf,
        use_content,
        cf_weight,
        reasons,
        mmr_lambda,
        preset,
        rules,
    } = options;
    let mut exclude: Vec<&str> = exclude.iter().map(String::as_str).collect();
    exclude.sort_unstable();
    exclude.dedup();
    let canonical = serde_json::json!([
        n,
        offset,
        exclude,
        category,
        use_cf,
        use_content,
        cf_weight.map(f32::to_bits),
        reasons,
        mmr_lambda.to_bits(),
        preset,
        rules.filter,
        rules.boost,
        rules.pin,
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => format!("{}***{}", &url[..scheme_end + 3], &url[at..]),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_tells_requests_apart_but_not_the_order_of_exclusions() {
        let base = RecommendOptions::default();
        let mut excluded = base.clone();
        excluded.exclude = vec!["b".into(), "a".into()];
        let mut reordered = base.clone();
        reordered.exclude = vec!["a".into(), "b".into(), "a".into()];
        let mut paged = base.clone();
        paged.offset = 10;
        assert_eq!(options_digest(&excluded), options_digest(&reordered));
        assert_ne!(options_digest(&base), options_digest(&excluded));
        assert_ne!(options_digest(&base), options_digest(&paged));
        assert_eq!(options_digest(&base), options_digest(&base.clone()));
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("redis://:hunter2@cache:6379/0"),
            "redis://:***@cache:6379/0"
        );
        assert_eq!(redact("redis://bob:pw@cache"), "redis://bob:***@cache");
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }

    #[test]
    fn a_malformed_url_is_refused() {
        let settings = CacheSettings {
            url: "http://nowhere".into(),
            prefix: "t".into(),
            ttl: Duration::from_secs(60),
        };
        let error = ListCache::new(&settings).err().expect("refused");
        assert!(error.to_string().contains("invalid Redis URL"), "{error}");
    }
}
