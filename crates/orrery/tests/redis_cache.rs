//! The Redis cache of recommendation lists, with real `orrery serve` processes and the
//! real Redis on 127.0.0.1:6379 (and a private `redis-server` for the outage test).
//!
//! - Two servers on one PostgreSQL database and one Redis: a list that B cached is not
//!   served again after A stored feedback on one of its items.
//! - On SQLite: miss, hit (the ML Module's route shares the key), feedback ends the hit;
//!   a running experiment's variants are cached apart from each other and from the lists
//!   made before it.
//! - A Redis that does not answer: the server serves without it, says so in its log and
//!   in `GET /health`, and caches again once Redis answers.
//!
//! Each test uses its own key prefix, so that tests run in parallel on one Redis.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Process, TestDb, shared_data};
use serde_json::{Value, json};

const REDIS: &str = "redis://127.0.0.1:6379";

/// A key prefix no other test uses.
fn fresh_prefix() -> String {
    format!("orrery-test-{:016x}", rand::random::<u64>())
}

/// MovieLens 100K (u1.base) imported, and a quick ALS model trained and active.
fn trained_db(db: &TestDb) {
    let data = shared_data().join("ml-100k").join("u1.base");
    db.ok(&["import", data.to_str().unwrap()]);
    db.ok(&[
        "train",
        "--algo",
        "als",
        "--param",
        "iterations=2",
        "--validation-ratio",
        "0",
    ]);
}

async fn redis_keys(url: &str, pattern: &str) -> Vec<String> {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// GET a list: its body and the cache header (`hit`, `miss` or absent).
async fn list_body(client: &reqwest::Client, url: &str) -> (Value, Option<String>) {
    let response = client.get(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "GET {url}: {}",
        response.status()
    );
    let cache = response
        .headers()
        .get("x-orrery-cache")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.json().await.unwrap(), cache)
}

/// GET a list: its items and the cache header (`hit`, `miss` or absent).
async fn list(client: &reqwest::Client, url: String) -> (Vec<String>, Option<String>) {
    let (body, cache) = list_body(client, &url).await;
    let items = body["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item_id"].as_str().unwrap().to_owned())
        .collect();
    (items, cache)
}

async fn post(client: &reqwest::Client, url: String, body: Value) {
    let response = client.post(&url).json(&body).send().await.unwrap();
    let status = response.status();
    assert!(
        status.is_success(),
        "POST {url}: {status} {}",
        response.text().await.unwrap()
    );
}

async fn health(client: &reqwest::Client, base: &str) -> Value {
    client
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[test]
fn feedback_on_one_server_ends_the_list_another_cached() {
    if common::without_data() {
        return;
    }
    let Some(db) = TestDb::postgres() else {
        return;
    };
    trained_db(&db);
    let prefix = fresh_prefix();
    let args = [
        "--redis-url",
        REDIS,
        "--redis-prefix",
        &prefix,
        "--registry-poll",
        "0",
    ];
    let (a, a_base) = common::spawn_server(&db.url, &args);
    let (b, b_base) = common::spawn_server(&db.url, &args);
    let (_a, _b) = (Process(a), Process(b));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        assert_eq!(health(&client, &b_base).await["cache"]["status"], "ok");

        let (before, cache) = list(&client, format!("{b_base}/recommendations/1?n=5")).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        let keys = redis_keys(REDIS, &format!("{prefix}:recs:*:1")).await;
        assert_eq!(keys.len(), 1, "B cached user 1's list: {keys:?}");
        assert!(
            keys[0].starts_with(&format!("{prefix}:recs:1:")),
            "the key names the model version: {keys:?}"
        );
        let (again, cache) = list(&client, format!("{b_base}/recommendations/1?n=5")).await;
        assert_eq!(cache.as_deref(), Some("hit"));
        assert_eq!(again, before);

        let liked = before[0].clone();
        post(
            &client,
            format!("{a_base}/recommendations/feedback"),
            json!({"user_id": "1", "content_id": liked, "feedback_type": "positive"}),
        )
        .await;
        let sent = Instant::now();
        loop {
            let (now, cache) = list(&client, format!("{b_base}/recommendations/1?n=5")).await;
            if !now.contains(&liked) {
                assert_ne!(
                    cache.as_deref(),
                    Some("hit"),
                    "a list made after the feedback"
                );
                break;
            }
            assert!(
                sent.elapsed() < Duration::from_secs(1),
                "B still lists {liked} a second after A stored the feedback"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!("B left out the liked item after {:?}", sent.elapsed());
        // And the cache serves the new list, not the old one, from now on. B may drop
        // its entry once more when A's announcement reaches it (a list it made before
        // hearing of a change is not trusted), so the first request may miss again.
        let settled = Instant::now();
        loop {
            let (cached, cache) = list(&client, format!("{b_base}/recommendations/1?n=5")).await;
            assert!(!cached.contains(&liked), "{cached:?}");
            if cache.as_deref() == Some("hit") {
                break;
            }
            assert!(
                settled.elapsed() < Duration::from_secs(2),
                "B does not cache the new list: {cache:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
}

#[test]
fn one_server_on_sqlite_caches_lists_until_feedback() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    trained_db(&db);
    let prefix = fresh_prefix();
    let (server, base) =
        common::spawn_server(&db.url, &["--redis-url", REDIS, "--redis-prefix", &prefix]);
    let _server = Process(server);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let (first, cache) = list(&client, format!("{base}/recommendations/7?n=8")).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        // The ML Module's route is the same list under the same key.
        let (ml, cache) = list(&client, format!("{base}/api/ml/recommendations/7?n=8")).await;
        assert_eq!(cache.as_deref(), Some("hit"));
        assert_eq!(ml, first);
        // Other options are another list.
        let (_, cache) = list(&client, format!("{base}/recommendations/7?n=8&offset=2")).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        assert_eq!(
            redis_keys(REDIS, &format!("{prefix}:recs:*:7")).await.len(),
            2
        );

        // Each serve of a cached list is recorded as a list of its own, under its own id.
        let mut ids = Vec::new();
        for _ in 0..2 {
            let response = client
                .get(format!("{base}/recommendations/7?n=8"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.headers()["x-orrery-cache"], "hit");
            let body: Value = response.json().await.unwrap();
            ids.push(body["recommendation_id"].as_str().unwrap().to_owned());
        }
        assert_ne!(ids[0], ids[1]);
        let asked = Instant::now();
        let recorded = loop {
            assert!(
                asked.elapsed() < Duration::from_secs(10),
                "list {} not recorded",
                ids[1]
            );
            let response = client
                .get(format!("{base}/impressions/{}", ids[1]))
                .send()
                .await
                .unwrap();
            if response.status().is_success() {
                break response.json::<Value>().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(recorded["user_id"], "7");
        assert_eq!(recorded["items"], json!(first));

        post(
            &client,
            format!("{base}/interactions"),
            json!({"user_id": "7", "item_id": first[0], "kind": "rating", "value": 4}),
        )
        .await;
        let (after, cache) = list(&client, format!("{base}/recommendations/7?n=8")).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        assert!(!after.contains(&first[0]), "{after:?} lists the rated item");

        // An experiment keeps its variants' lists apart: a list cached before it started
        // is not served within it, and a cached list is served again in its variant.
        post(
            &client,
            format!("{base}/experiments"),
            json!({
                "id": "cache-test",
                "salt": "cache-test",
                "variants": [
                    {"name": "control", "share": 0.5},
                    {"name": "diverse", "share": 0.5, "mmr_lambda": 0.3},
                ],
            }),
        )
        .await;
        post(
            &client,
            format!("{base}/experiments/cache-test/start"),
            json!({}),
        )
        .await;
        let mut variants = std::collections::BTreeSet::new();
        for user in 1..=20 {
            let url = format!("{base}/recommendations/{user}?n=8");
            let (made, cache) = list_body(&client, &url).await;
            assert_eq!(cache.as_deref(), Some("miss"), "user {user}: {made}");
            assert_eq!(made["experiment"], "cache-test", "{made}");
            let (again, cache) = list_body(&client, &url).await;
            assert_eq!(cache.as_deref(), Some("hit"), "user {user}");
            assert_eq!(again["variant"], made["variant"], "{again}");
            assert_eq!(again["recommendations"], made["recommendations"]);
            variants.insert(made["variant"].as_str().unwrap().to_owned());
        }
        assert_eq!(variants.len(), 2, "{variants:?}");
        let keys = redis_keys(REDIS, &format!("{prefix}:recs:*:cache-test/*")).await;
        assert_eq!(keys.len(), 20, "{keys:?}");
    });
}

/// A port of 127.0.0.1 nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn without_redis_the_server_serves_and_says_so() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    trained_db(&db);
    let port = closed_port();
    let url = format!("redis://127.0.0.1:{port}");
    let (server, base, log) =
        common::spawn_server_with_log(&db.url, &["--redis-url", &url, "--redis-prefix", "t"]);
    let _server = Process(server);
    assert!(
        log.iter().any(|l| l.contains("Redis does not answer")),
        "the log says the cache is off: {log:?}"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let report = health(&client, &base).await;
        assert_eq!(report["status"], "ok", "{report}");
        assert_eq!(report["cache"]["status"], "unavailable", "{report}");
        assert!(report["cache"]["error"].is_string(), "{report}");
        for _ in 0..3 {
            let (items, cache) = list(&client, format!("{base}/recommendations/3?n=5")).await;
            assert_eq!(items.len(), 5);
            assert_eq!(cache, None, "nothing is cached without Redis");
        }
        // Feedback while Redis is away is kept and counted once it answers.
        post(
            &client,
            format!("{base}/interactions"),
            json!({"user_id": "3", "item_id": "50", "kind": "click"}),
        )
        .await;

        // A Redis comes up on that port: the server uses it without a restart.
        let _redis = Process(
            Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server runs"),
        );
        let started = Instant::now();
        while health(&client, &base).await["cache"]["status"] != "ok" {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server did not take up the Redis that came up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            redis_keys(&url, "t:gen:3").await,
            ["t:gen:3"],
            "the feedback sent while Redis was away was counted"
        );
        let (_, cache) = list(&client, format!("{base}/recommendations/3?n=5")).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        let (_, cache) = list(&client, format!("{base}/recommendations/3?n=5")).await;
        assert_eq!(cache.as_deref(), Some("hit"));
    });
}
