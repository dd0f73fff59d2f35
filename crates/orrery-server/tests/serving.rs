//! Serving behaviour on MovieLens 100K: a model swap under concurrent load fails no
//! request; a new rating is reflected by the very next request; a new user moves from
//! cold start to personal recommendations.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{TestServer, config, databases, import_ml100k, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn ids(recs: &Value) -> Vec<String> {
    recs["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .map(|r| r["item_id"].as_str().expect("item_id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn swapping_models_under_load_fails_no_request() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = Arc::new(TestServer::start(config(), db).await);
        let v1 = server
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 3}}))
            .await["version"]
            .as_i64()
            .expect("v1");
        let v2 = server
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 8, "iterations": 2}, "activate": false}))
            .await["version"]
            .as_i64()
            .expect("v2");

        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicUsize::new(0));
        let mut clients = Vec::new();
        for c in 0..8usize {
            let (server, stop, ok) = (server.clone(), stop.clone(), ok.clone());
            clients.push(tokio::spawn(async move {
                let mut failures = Vec::new();
                let started = Instant::now();
                let mut i = 0usize;
                // Bounded in count and time.
                while !stop.load(Ordering::Relaxed)
                    && i < 5_000
                    && started.elapsed() < Duration::from_secs(60)
                {
                    let user = 1 + (c * 131 + i * 17) % 943;
                    let (status, body) = server.get(&format!("/recommendations/{user}?n=10")).await;
                    if status == StatusCode::OK
                        && body["recommendations"].as_array().map(Vec::len) == Some(10)
                    {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.push(format!("user {user}: {status} {body}"));
                    }
                    i += 1;
                }
                failures
            }));
        }
        let mut seen_versions = std::collections::HashSet::new();
        for round in 0..20 {
            let version = if round % 2 == 0 { v2 } else { v1 };
            let (status, body) = server
                .post(&format!("/models/{version}/activate"), json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let (_, recs) = server.get("/recommendations/1?n=10").await;
            seen_versions.insert(recs["model_version"].as_i64().expect("version"));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        stop.store(true, Ordering::Relaxed);
        let mut failures = Vec::new();
        for client in clients {
            failures.extend(client.await.expect("client task"));
        }
        assert!(
            failures.is_empty(),
            "{} failed requests, first: {:?}",
            failures.len(),
            failures.first()
        );
        let served = ok.load(Ordering::Relaxed);
        assert!(
            served >= 100,
            "only {served} requests served during the swaps"
        );
        assert_eq!(
            seen_versions.len(),
            2,
            "both versions served: {seen_versions:?}"
        );
        let (_, health) = server.get("/health").await;
        assert_eq!(health["active_model"]["version"], v1);
        if let Ok(server) = Arc::try_unwrap(server) {
            server.finish().await;
        }
    }
}

#[tokio::test]
async fn the_next_request_reflects_a_new_rating() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        server
            .train(json!({"algorithm": "mf", "hyperparameters": {"factors": 16, "epochs": 10}}))
            .await;

        // A warm user rates their top recommendation badly: it disappears at once and the
        // rest of the list moves.
        let (_, before) = server.get("/recommendations/1?n=10&cf_weight=1").await;
        let before_ids = ids(&before);
        let top = before_ids[0].clone();
        let (_, p_before) = server
            .post("/predict", json!({"user_id": 1, "item_id": top}))
            .await;
        let (status, _) = server
            .post(
                "/ratings/",
                json!([{"user_id": 1, "movie_id": top, "rating": 1}]),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, after) = server.get("/recommendations/1?n=10&cf_weight=1").await;
        let after_ids = ids(&after);
        assert!(
            !after_ids.contains(&top),
            "{name}: the rated item is filtered: {after}"
        );
        let (_, p_after) = server
            .post("/predict", json!({"user_id": 1, "item_id": top}))
            .await;
        assert_eq!(p_after["known_user"], true);
        // A user deleted and created again under the same id is new to the model.
        let (status, _) = server.delete("/users/2").await;
        assert!(status.is_success(), "{name}");
        let (status, _) = server.post("/users/", json!({"user_id": "2"})).await;
        assert_eq!(status, StatusCode::CREATED, "{name}");
        let (_, reborn) = server
            .post("/predict", json!({"user_id": 2, "item_id": top}))
            .await;
        assert_eq!(reborn["known_user"], false, "{name}: {reborn}");
        assert!(
            p_after["score"].as_f64() < p_before["score"].as_f64(),
            "{name}: a rating of 1 lowers the prediction: {p_before} → {p_after}"
        );

        // Paging and exclusions, against a list made just before: the one above came
        // before other writes and the server's background work (embedding the catalog),
        // which may reorder items whose scores differ in the fourth decimal.
        let (_, now) = server.get("/recommendations/1?n=10&cf_weight=1").await;
        let now_ids = ids(&now);
        let (_, page2) = server
            .get("/recommendations/1?n=5&offset=5&cf_weight=1")
            .await;
        assert_eq!(ids(&page2), now_ids[5..10].to_vec(), "{page2}");
        let excluded = format!(
            "/recommendations/1?n=10&cf_weight=1&exclude={},{}",
            now_ids[0], now_ids[1]
        );
        let (_, without) = server.get(&excluded).await;
        assert_eq!(ids(&without)[..8], now_ids[2..10], "{without}");
        let (_, dramas) = server.get("/recommendations/1?n=5&category=Drama").await;
        assert!(
            dramas["recommendations"]
                .as_array()
                .expect("list")
                .iter()
                .all(|r| r["genres"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g == "Drama"))),
            "{dramas}"
        );

        // A new user: cold start from interests, then personal after a few ratings.
        let (status, _) = server
            .post(
                "/users/",
                json!({"user_id": "fresh", "interests": ["Animation", "Children's"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, cold) = server.get("/recommendations/fresh?n=10").await;
        assert_eq!(status, StatusCode::OK, "{cold}");
        assert_eq!(cold["method"], "cold_start", "{cold}");
        assert_eq!(ids(&cold).len(), 10, "never empty: {cold}");
        let first_cold = ids(&cold);
        let ratings: Vec<Value> = first_cold[..5]
            .iter()
            .map(|m| json!({"user_id": "fresh", "movie_id": m, "rating": 5}))
            .collect();
        let (status, _) = send(server.request(Method::POST, "/ratings/").json(&ratings)).await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, warm) = server.get("/recommendations/fresh?n=10&explain=true").await;
        assert_eq!(warm["method"], "hybrid", "{warm}");
        assert_eq!(warm["interactions"], 5);
        let warm_ids = ids(&warm);
        assert!(
            first_cold[..5].iter().all(|m| !warm_ids.contains(m)),
            "{warm}"
        );
        // Items that resemble one of the five liked films say which, and only those.
        let list = warm["recommendations"].as_array().expect("list");
        assert!(
            list.iter().any(|r| r["because"]["item_id"].is_string()),
            "{warm}"
        );
        for r in list {
            let named = r["explanation"]
                .as_str()
                .is_some_and(|e| e.contains("resembles"));
            assert_eq!(named, r["because"].is_object(), "{r}");
        }
        let (status, e) = server.get(&format!("/explain/fresh/{}", warm_ids[0])).await;
        assert_eq!(status, StatusCode::OK, "{e}");
        assert!(
            !e["pulled_up_by"].as_array().expect("list").is_empty(),
            "{e}"
        );
        server.finish().await;
    }
}

#[tokio::test]
async fn servers_sharing_a_database_follow_the_registry() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let mut cfg = config();
        cfg.registry_poll = Some(Duration::from_millis(100));
        let a = TestServer::start(cfg.clone(), db).await;
        let b = TestServer::start_beside(cfg, a.store().expect("store")).await;
        let (_, health) = b.get("/health").await;
        assert!(health["active_model"].is_null(), "{health}");

        let v1 = a.train(json!({"algorithm": "popularity"})).await["version"]
            .as_i64()
            .expect("v1");
        let v2 = a
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 8, "iterations": 2}, "activate": false}))
            .await["version"]
            .as_i64()
            .expect("v2");
        // A rating model serves predictions beside the lists' model, on both servers.
        let v3 = a
            .train(json!({"algorithm": "mf", "hyperparameters": {"factors": 8, "epochs": 3}, "activate": false}))
            .await["version"]
            .as_i64()
            .expect("v3");
        for (expected, served_as) in [
            (v1, "active_model"),
            (v2, "active_model"),
            (v3, "rating_model"),
        ] {
            if expected != v1 {
                let (status, _) = a
                    .post(&format!("/models/{expected}/activate"), json!({}))
                    .await;
                assert_eq!(status, StatusCode::OK);
            }
            let started = Instant::now();
            loop {
                let (_, health) = b.get("/health").await;
                if health[served_as]["version"] == expected {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "server B never served version {expected}: {health}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // The rating model leaves the lists to the ranking model.
            let lists = if expected == v1 { v1 } else { v2 };
            let (_, recs) = b.get("/recommendations/1?n=5").await;
            assert_eq!(recs["model_version"], lists, "{recs}");
        }
        let (_, p) = b
            .post("/predict", json!({"user_id": "1", "item_id": "50"}))
            .await;
        assert_eq!(p["model_version"], v3, "{p}");
        b.finish().await;
        a.finish().await;
    }
}

/// Interaction writes of concurrent requests are committed together: every request is
/// answered after its events are stored, with its own count of new and repeated events,
/// even when two requests carry the same event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_interactions_are_stored_and_counted_per_request() {
    for db in databases().await {
        let server = Arc::new(TestServer::start(config(), db).await);
        let name = server.backend.clone();
        for i in 0..10 {
            let (status, body) = server
                .post(
                    "/items",
                    json!({"item_id": format!("i{i}"), "title": format!("Item {i}")}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        }
        for u in 0..20 {
            let (status, body) = server
                .post("/users/", json!({"user_id": format!("u{u}")}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        }
        // 150 distinct events, each sent by two requests at once.
        let requests = (0..300).map(|r| {
            let server = server.clone();
            let e = r / 2;
            tokio::spawn(async move {
                let event = json!({"user_id": format!("u{}", e % 20), "item_id": format!("i{}", e % 10),
                                   "kind": "click", "timestamp": 1_000 + e});
                let (status, body) = server.post("/interactions", event).await;
                (e, status, body)
            })
        });
        let mut stored_per_event = vec![0u64; 150];
        for request in requests.collect::<Vec<_>>() {
            let (e, status, body) = request.await.expect("request task");
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
            let (stored, duplicates) = (body["stored"].as_u64(), body["duplicates"].as_u64());
            assert_eq!(
                stored.zip(duplicates).map(|(s, d)| s + d),
                Some(1),
                "{name}: {body}"
            );
            stored_per_event[e as usize] += stored.unwrap_or(0);
        }
        assert!(
            stored_per_event.iter().all(|&s| s == 1),
            "{name}: each event stored by exactly one of its two requests: {stored_per_event:?}"
        );
        let store = server.store().expect("store");
        assert_eq!(
            store.stats().await.expect("stats").interactions,
            150,
            "{name}"
        );
        Arc::into_inner(server).expect("one owner").finish().await;
    }
}
