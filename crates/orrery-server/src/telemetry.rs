//! Request counters and latencies, kept by the server itself: per route since the start
//! (rendered in the Prometheus text format at `/metrics/prometheus`) and, for the
//! recommendation routes, per second over the last ten minutes (charted by the
//! dashboard's Serving page).
//!
//! The hot path takes no lock that writers contend on: the per-route table is behind a
//! read-mostly `RwLock` (written once per new route), and every count is an atomic add.
//! The recent window is a ring of one-second slots; a slot is claimed for a new second by
//! a compare-and-swap and then cleared, so an increment that lands between the two on
//! another thread can be lost. That costs at most a few requests per ten-minute window
//! and keeps recording to a handful of relaxed atomic operations.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Seconds of history the recent window keeps.
pub const WINDOW_SECONDS: u64 = 600;

/// Upper bounds (seconds) of the Prometheus latency histogram.
const PROMETHEUS_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Latency buckets of the recent window: four per doubling from 1 µs, so a percentile read
/// from them is within 19 % of the true value; the last one holds everything above ~17 s.
const FINE_BUCKETS: usize = 97;

/// The route label of requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// Whether a route (as registered, e.g. `/recommendations/{user_id}`) serves
/// recommendations: lists, cold start, similar items, predictions and explanations.
pub fn is_recommendation_route(route: &str) -> bool {
    (route.starts_with("/recommendations")
        && !matches!(
            route,
            "/recommendations/health" | "/recommendations/interact" | "/recommendations/feedback"
        ))
        || route.starts_with("/api/ml/recommendations")
        || route.starts_with("/api/ml/predict")
        || route.starts_with("/api/ml/explain")
        || route.starts_with("/explain/")
        || route == "/predict"
        || (route.starts_with("/items/") && route.ends_with("/similar"))
}

/// Counts of one route and method since the start.
#[derive(Default)]
struct RouteCounters {
    /// By status class: 1xx … 5xx.
    status: [AtomicU64; 5],
    /// Requests per Prometheus bucket (not cumulative; the last is +Inf).
    buckets: [AtomicU64; PROMETHEUS_BUCKETS.len() + 1],
    /// Total latency in nanoseconds.
    sum_nanos: AtomicU64,
}

/// One second of the recent window.
struct Slot {
    /// The unix second this slot holds (`u64::MAX` before first use).
    second: AtomicU64,
    requests: AtomicU64,
    errors: AtomicU64,
    latency: [AtomicU64; FINE_BUCKETS],
}

impl Slot {
    fn new() -> Slot {
        Slot {
            second: AtomicU64::new(u64::MAX),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            latency: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

/// The server's request counters.
pub struct Telemetry {
    routes: RwLock<HashMap<(String, String), Arc<RouteCounters>>>,
    recent: Box<[Slot]>,
    started: Instant,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry::new()
    }
}

/// The recommendation routes over one interval of the recent window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalStats {
    /// Unix second the interval starts at.
    pub start: u64,
    /// Requests in the interval.
    pub requests: u64,
    /// Of which answered with a 5xx status.
    pub errors: u64,
    /// Median latency in seconds (`None` without requests).
    pub p50: Option<f64>,
    /// 99th percentile latency in seconds.
    pub p99: Option<f64>,
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The fine bucket of a latency.
fn fine_bucket(latency: Duration) -> usize {
    let micros = latency.as_secs_f64() * 1e6;
    if micros <= 1.0 {
        return 0;
    }
    ((micros.log2() * 4.0).ceil() as usize).min(FINE_BUCKETS - 1)
}

/// The upper bound of a fine bucket, in seconds.
fn fine_upper(bucket: usize) -> f64 {
    2f64.powf(bucket as f64 / 4.0) / 1e6
}

/// The `q` quantile (0–1) of a fine histogram, as its bucket's upper bound.
fn quantile(histogram: &[u64; FINE_BUCKETS], q: f64) -> Option<f64> {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    // The rank of the q-quantile, counted from 1.
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (bucket, &n) in histogram.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return Some(fine_upper(bucket));
        }
    }
    Some(fine_upper(FINE_BUCKETS - 1))
}

impl Telemetry {
    /// Empty counters.
    pub fn new() -> Telemetry {
        Telemetry {
            routes: RwLock::new(HashMap::new()),
            recent: (0..WINDOW_SECONDS).map(|_| Slot::new()).collect(),
            started: Instant::now(),
        }
    }

    /// Counts one answered request.
    pub fn record(&self, method: &str, route: &str, status: u16, latency: Duration) {
        self.record_at(unix_seconds(), method, route, status, latency);
    }

    fn record_at(&self, now: u64, method: &str, route: &str, status: u16, latency: Duration) {
        let counters = self.counters(method, route);
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        counters.status[class].fetch_add(1, Ordering::Relaxed);
        let seconds = latency.as_secs_f64();
        let bucket = PROMETHEUS_BUCKETS
            .iter()
            .position(|&upper| seconds <= upper)
            .unwrap_or(PROMETHEUS_BUCKETS.len());
        counters.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        counters.sum_nanos.fetch_add(
            u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );

        if is_recommendation_route(route) {
            let slot = &self.recent[(now % WINDOW_SECONDS) as usize];
            let held = slot.second.load(Ordering::Acquire);
            if held != now
                && slot
                    .second
                    .compare_exchange(held, now, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                slot.requests.store(0, Ordering::Relaxed);
                slot.errors.store(0, Ordering::Relaxed);
                for b in &slot.latency {
                    b.store(0, Ordering::Relaxed);
                }
            }
            slot.requests.fetch_add(1, Ordering::Relaxed);
            if status >= 500 {
                slot.errors.fetch_add(1, Ordering::Relaxed);
            }
            slot.latency[fine_bucket(latency)].fetch_add(1, Ordering::Relaxed);
        }
    }

    fn counters(&self, method: &str, route: &str) -> Arc<RouteCounters> {
        let read = self
            .routes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A lookup by a borrowed pair would need an owned key anyway; routes are few and
        // short, so the read path allocates nothing but this lookup's key.
        if let Some(counters) = read.get(&(method.to_owned(), route.to_owned())) {
            return counters.clone();
        }
        drop(read);
        self.routes
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry((method.to_owned(), route.to_owned()))
            .or_default()
            .clone()
    }

    /// The recommendation routes over the last `seconds` (at most [`WINDOW_SECONDS`]),
    /// in intervals of `step` seconds, oldest first, ending with the current second.
    pub fn recent(&self, seconds: u64, step: u64) -> Vec<IntervalStats> {
        self.recent_at(unix_seconds(), seconds, step)
    }

    fn recent_at(&self, now: u64, seconds: u64, step: u64) -> Vec<IntervalStats> {
        let seconds = seconds.clamp(1, WINDOW_SECONDS);
        let step = step.clamp(1, seconds);
        let first = now + 1 - seconds;
        let mut out = Vec::with_capacity(seconds.div_ceil(step) as usize);
        let mut start = first;
        while start <= now {
            let end = (start + step).min(now + 1);
            let mut histogram = [0u64; FINE_BUCKETS];
            let (mut requests, mut errors) = (0, 0);
            for second in start..end {
                let slot = &self.recent[(second % WINDOW_SECONDS) as usize];
                if slot.second.load(Ordering::Acquire) != second {
                    continue;
                }
                requests += slot.requests.load(Ordering::Relaxed);
                errors += slot.errors.load(Ordering::Relaxed);
                for (h, b) in histogram.iter_mut().zip(&slot.latency) {
                    *h += b.load(Ordering::Relaxed);
                }
            }
            out.push(IntervalStats {
                start,
                requests,
                errors,
                p50: quantile(&histogram, 0.50),
                p99: quantile(&histogram, 0.99),
            });
            start = end;
        }
        out
    }

    /// Per route and method since the start: requests, 5xx answers and mean latency
    /// (seconds), busiest first.
    pub fn route_totals(&self) -> Vec<RouteTotal> {
        let routes = self
            .routes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out: Vec<RouteTotal> = routes
            .iter()
            .map(|((method, route), c)| {
                let by_class: Vec<u64> =
                    c.status.iter().map(|n| n.load(Ordering::Relaxed)).collect();
                let requests: u64 = by_class.iter().sum();
                let sum = c.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
                RouteTotal {
                    method: method.clone(),
                    route: route.clone(),
                    requests,
                    errors: by_class[4],
                    mean_seconds: (requests > 0).then(|| sum / requests as f64),
                    recommendation: is_recommendation_route(route),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.requests
                .cmp(&a.requests)
                .then_with(|| a.route.cmp(&b.route))
                .then_with(|| a.method.cmp(&b.method))
        });
        out
    }

    /// Everything in the Prometheus text exposition format (version 0.0.4).
    pub fn prometheus(&self) -> String {
        let mut rows: Vec<((String, String), Arc<RouteCounters>)> = self
            .routes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        out.push_str(
            "# HELP orrery_http_requests_total HTTP requests answered, by route, method and \
             status class.\n# TYPE orrery_http_requests_total counter\n",
        );
        for ((method, route), c) in &rows {
            for (i, n) in c.status.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "orrery_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}xx\"}} {n}",
                        label(method),
                        label(route),
                        i + 1
                    );
                }
            }
        }
        out.push_str(
            "# HELP orrery_http_request_duration_seconds Time to answer an HTTP request \
             (until the response head), by route and method.\n\
             # TYPE orrery_http_request_duration_seconds histogram\n",
        );
        for ((method, route), c) in &rows {
            let (method, route) = (label(method), label(route));
            let mut cumulative = 0;
            for (i, n) in c.buckets.iter().enumerate() {
                cumulative += n.load(Ordering::Relaxed);
                let le = PROMETHEUS_BUCKETS
                    .get(i)
                    .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
                let _ = writeln!(
                    out,
                    "orrery_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let sum = c.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "orrery_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {sum}\n\
                 orrery_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {cumulative}"
            );
        }
        let _ = write!(
            out,
            "# HELP orrery_uptime_seconds Seconds since the server started.\n\
             # TYPE orrery_uptime_seconds gauge\norrery_uptime_seconds {}\n",
            self.started.elapsed().as_secs_f64()
        );
        out
    }
}

/// One route's totals, from [`Telemetry::route_totals`].
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTotal {
    /// HTTP method.
    pub method: String,
    /// The route as registered (`/recommendations/{user_id}`), or `unmatched`.
    pub route: String,
    /// Requests answered.
    pub requests: u64,
    /// Of which with a 5xx status.
    pub errors: u64,
    /// Mean time to answer, in seconds.
    pub mean_seconds: Option<f64>,
    /// Whether it is a recommendation route (charted on the Serving page).
    pub recommendation: bool,
}

/// A Prometheus label value: backslash, double quote and newline escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware that times every routed request and counts it under its route template (so
/// that user ids do not make one series each).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.telemetry.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendation_routes_are_told_apart() {
        for route in [
            "/recommendations/{user_id}",
            "/recommendations",
            "/recommendations/cold-start",
            "/api/ml/recommendations/{user_id}",
            "/items/{item_id}/similar",
            "/explain/{user_id}/{item_id}",
            "/predict",
        ] {
            assert!(is_recommendation_route(route), "{route}");
        }
        for route in [
            "/recommendations/health",
            "/recommendations/feedback",
            "/users/{user_id}",
            "/models",
            UNMATCHED,
        ] {
            assert!(!is_recommendation_route(route), "{route}");
        }
    }

    #[test]
    fn quantiles_come_from_the_window_and_old_seconds_drop_out() {
        let t = Telemetry::new();
        let now = 1_000_000;
        // 98 fast requests and 2 slow ones in the current second.
        for i in 0..100 {
            let latency = if i < 98 {
                Duration::from_millis(2)
            } else {
                Duration::from_millis(400)
            };
            t.record_at(now, "GET", "/recommendations/{user_id}", 200, latency);
        }
        t.record_at(
            now - 5,
            "GET",
            "/recommendations/{user_id}",
            503,
            Duration::from_millis(1),
        );
        // Not a recommendation route: counted per route, not in the window.
        t.record_at(now, "GET", "/models", 200, Duration::from_millis(1));

        let last = t.recent_at(now, 10, 10);
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].requests, 101);
        assert_eq!(last[0].errors, 1);
        let p50 = last[0].p50.unwrap();
        assert!((0.002..0.0025).contains(&p50), "p50 {p50}");
        let p99 = last[0].p99.unwrap();
        assert!((0.4..0.48).contains(&p99), "p99 {p99}");

        let steps = t.recent_at(now, 10, 2);
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[4].start, now - 1);
        assert_eq!(steps[4].requests, 100);
        assert_eq!(steps[2].requests, 1);
        assert_eq!(steps[0].p50, None);

        // The slot of `now` is reused ten minutes later and starts from zero.
        let later = now + WINDOW_SECONDS;
        t.record_at(
            later,
            "GET",
            "/recommendations/{user_id}",
            200,
            Duration::from_millis(3),
        );
        let last = t.recent_at(later, 1, 1);
        assert_eq!(last[0].requests, 1);
        assert!(t.recent_at(later, 600, 600)[0].requests < 102);
    }

    #[test]
    fn prometheus_text_has_counters_and_cumulative_buckets() {
        let t = Telemetry::new();
        t.record(
            "GET",
            "/recommendations/{user_id}",
            200,
            Duration::from_micros(700),
        );
        t.record(
            "GET",
            "/recommendations/{user_id}",
            404,
            Duration::from_millis(30),
        );
        t.record("POST", "/odd\"route", 500, Duration::from_secs(20));
        let text = t.prometheus();
        assert!(text.contains(
            "orrery_http_requests_total{method=\"GET\",route=\"/recommendations/{user_id}\",status=\"2xx\"} 1\n"
        ));
        assert!(text.contains(
            "orrery_http_requests_total{method=\"GET\",route=\"/recommendations/{user_id}\",status=\"4xx\"} 1\n"
        ));
        assert!(text.contains(
            "orrery_http_request_duration_seconds_bucket{method=\"GET\",route=\"/recommendations/{user_id}\",le=\"0.001\"} 1\n"
        ));
        assert!(text.contains(
            "orrery_http_request_duration_seconds_bucket{method=\"GET\",route=\"/recommendations/{user_id}\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains(
            "orrery_http_request_duration_seconds_bucket{method=\"POST\",route=\"/odd\\\"route\",le=\"+Inf\"} 1\n"
        ));
        assert!(text.contains(
            "orrery_http_request_duration_seconds_count{method=\"GET\",route=\"/recommendations/{user_id}\"} 2\n"
        ));
        let totals = t.route_totals();
        assert_eq!(totals[0].requests, 2);
        assert!(totals[0].recommendation);
        assert_eq!(totals[1].errors, 1);
    }
}
