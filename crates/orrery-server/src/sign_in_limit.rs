//! [`SignInLimit`]: how often `POST /auth/token` may be tried, per account and per client
//! address, so that passwords cannot be guessed at the speed the server hashes them.
//!
//! Each account (the email asked for, known or not) and each client address has a token
//! bucket: a burst of attempts, then one more per refill interval. An attempt spends one
//! token from both buckets before any password is hashed; an empty bucket answers 429 with
//! `Retry-After`. The buckets live in this process: servers sharing a database each allow
//! their own rate. A few lines of token bucket are written here rather than a crate added,
//! because no rate limiter is among the dependencies and this needs only `try_take`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts an account may make at once, then one per [`ACCOUNT_REFILL`].
const ACCOUNT_BURST: f64 = 10.0;
const ACCOUNT_REFILL: Duration = Duration::from_secs(6);
/// Attempts a client address may make at once (several people behind one NAT sign in
/// from one address), then one per [`ADDRESS_REFILL`].
const ADDRESS_BURST: f64 = 30.0;
const ADDRESS_REFILL: Duration = Duration::from_secs(1);
/// Buckets kept before full (idle) ones are forgotten, which bounds the memory a client
/// cycling through made-up emails can take.
const MAX_TRACKED: usize = 10_000;

/// A token bucket's state.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets of one kind of key.
#[derive(Debug)]
struct Buckets<K> {
    burst: f64,
    refill: Duration,
    buckets: HashMap<K, Bucket>,
}

impl<K: Eq + Hash> Buckets<K> {
    fn new(burst: f64, refill: Duration) -> Self {
        Buckets {
            burst,
            refill,
            buckets: HashMap::new(),
        }
    }

    /// The tokens `key` has at `now`.
    fn level(&self, bucket: &Bucket, now: Instant) -> f64 {
        let gained = now.duration_since(bucket.updated).as_secs_f64() / self.refill.as_secs_f64();
        (bucket.tokens + gained).min(self.burst)
    }

    /// How long `key` must wait for a token, or `None` when it has one now.
    fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let level = self
            .buckets
            .get(key)
            .map_or(self.burst, |b| self.level(b, now));
        (level < 1.0).then(|| self.refill.mul_f64(1.0 - level))
    }

    fn take(&mut self, key: K, now: Instant) {
        if self.buckets.len() >= MAX_TRACKED {
            let (burst, refill) = (self.burst, self.refill);
            self.buckets.retain(|_, b| {
                let gained = now.duration_since(b.updated).as_secs_f64() / refill.as_secs_f64();
                b.tokens + gained < burst
            });
        }
        let tokens = self
            .buckets
            .get(&key)
            .map_or(self.burst, |b| self.level(b, now));
        self.buckets.insert(
            key,
            Bucket {
                tokens: tokens - 1.0,
                updated: now,
            },
        );
    }
}

/// The sign-in limits of one server.
#[derive(Debug)]
pub struct SignInLimit {
    state: Mutex<(Buckets<String>, Buckets<IpAddr>)>,
}

impl Default for SignInLimit {
    fn default() -> Self {
        SignInLimit {
            state: Mutex::new((
                Buckets::new(ACCOUNT_BURST, ACCOUNT_REFILL),
                Buckets::new(ADDRESS_BURST, ADDRESS_REFILL),
            )),
        }
    }
}

/// Why an attempt must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// This account was tried too often.
    Account(Duration),
    /// This client address tried too often.
    Address(Duration),
}

impl SignInLimit {
    /// Spends an attempt for `email` from `address` (unknown without a connection's
    /// address), or says which limit is reached and for how long. A refused attempt
    /// spends nothing, so that waiting the time it names is enough.
    pub fn try_attempt(&self, email: &str, address: Option<IpAddr>) -> Result<(), Limited> {
        let now = Instant::now();
        let account = email.trim().to_lowercase();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (accounts, addresses) = &mut *state;
        if let Some(address) = address
            && let Some(wait) = addresses.wait(&address, now)
        {
            return Err(Limited::Address(wait));
        }
        if let Some(wait) = accounts.wait(&account, now) {
            return Err(Limited::Account(wait));
        }
        accounts.take(account, now);
        if let Some(address) = address {
            addresses.take(address, now);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_one_per_refill() {
        let mut buckets = Buckets::new(3.0, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(buckets.wait(&"a", start), None);
            buckets.take("a", start);
        }
        let wait = buckets.wait(&"a", start).expect("the burst is spent");
        assert_eq!(wait, Duration::from_secs(10));
        assert_eq!(
            buckets.wait(&"b", start),
            None,
            "other keys are not affected"
        );
        let later = start + Duration::from_secs(4);
        let wait = buckets
            .wait(&"a", later)
            .expect("4 s refill 0.4 of a token");
        assert!(
            wait.abs_diff(Duration::from_secs(6)) < Duration::from_millis(1),
            "{wait:?}"
        );
        assert_eq!(buckets.wait(&"a", start + Duration::from_secs(10)), None);
    }

    #[test]
    fn accounts_and_addresses_are_limited_apart() {
        let limit = SignInLimit::default();
        let here: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..ACCOUNT_BURST as usize {
            assert_eq!(limit.try_attempt("Ann@example.org", Some(here)), Ok(()));
        }
        assert!(matches!(
            limit.try_attempt(" ann@EXAMPLE.org", Some(here)),
            Err(Limited::Account(_))
        ));
        for i in 0..(ADDRESS_BURST - ACCOUNT_BURST) as usize {
            assert_eq!(
                limit.try_attempt(&format!("u{i}@x.org"), Some(here)),
                Ok(())
            );
        }
        assert!(matches!(
            limit.try_attempt("fresh@x.org", Some(here)),
            Err(Limited::Address(_))
        ));
        assert_eq!(limit.try_attempt("fresh@x.org", None), Ok(()));
    }
}
