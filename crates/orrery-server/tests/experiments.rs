//! A/B experiments over HTTP, on SQLite and PostgreSQL: a definition with a wrong field is
//! a 422 naming it; a started experiment splits users between its variants by a hash
//! that a second server on the same database computes alike; each variant's lists come
//! from its model and carry its name, also in the recorded impressions; one experiment
//! runs at a time; pausing serves everyone as before, on both servers; a model version a
//! variant serves with is kept from deletion; the report counts each variant's users,
//! lists and clicks and compares them with the control.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{TestServer, assert_problem, config, databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ITEMS: usize = 30;
const USERS: usize = 60;

/// A catalog with two tastes, users who each follow one, and two trained versions: a
/// popularity model, then an ALS model that is the active one.
async fn setup(server: &TestServer) -> (i64, i64) {
    for i in 0..ITEMS {
        let genre = if i % 2 == 0 { "Horror" } else { "Comedy" };
        let (status, body) = server
            .post(
                "/movies",
                json!({"movie_id": format!("m{i}"), "title": format!("Film {i}"), "genres": [genre]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut events = Vec::new();
    for u in 0..USERS {
        let (status, body) = server
            .post("/users", json!({"user_id": format!("u{u}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // Items of the user's taste, a different handful each.
        for k in 0..6 {
            let item = (2 * (u + 3 * k) + u % 2) % ITEMS;
            events.push(
                json!({"user_id": format!("u{u}"), "item_id": format!("m{item}"), "kind": "like"}),
            );
        }
    }
    let (status, body) = server.post("/interactions", Value::Array(events)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let popularity = server.train(json!({"algorithm": "popularity"})).await;
    let als = server
        .train(json!({"algorithm": "als", "hyperparameters": {"factors": 8, "iterations": 5}, "activate": true}))
        .await;
    (
        popularity["version"].as_i64().expect("version"),
        als["version"].as_i64().expect("version"),
    )
}

/// Each user's list from `server`: (variant, model version), `None` outside an
/// experiment.
async fn arms(
    server: &TestServer,
    experiment: Option<&str>,
) -> HashMap<String, (Option<String>, i64)> {
    let mut arms = HashMap::new();
    for u in 0..USERS {
        let user = format!("u{u}");
        let (status, list) = server.get(&format!("/recommendations/{user}?n=5")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["experiment"].as_str(), experiment, "{user}: {list}");
        let variant = list["variant"].as_str().map(str::to_owned);
        assert_eq!(variant.is_some(), experiment.is_some(), "{list}");
        let version = list["model_version"]
            .as_i64()
            .expect("a model served the list");
        arms.insert(user, (variant, version));
    }
    arms
}

/// Waits until `server` serves `user` within `experiment` (`None`: outside any): a
/// server hears of another's change within the SQLite change log's poll, at once on
/// PostgreSQL.
async fn wait_for_experiment(server: &TestServer, user: &str, experiment: Option<&str>) {
    let started = Instant::now();
    loop {
        let (status, list) = server.get(&format!("/recommendations/{user}?n=3")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        if list["experiment"].as_str() == experiment {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the second server did not follow the experiment: {list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_experiment_splits_users_between_variants_served_by_their_models() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        let (popularity, als) = setup(&server).await;

        // A wrong field is named.
        let control = json!({"name": "control", "share": 0.5});
        for (body, field) in [
            (json!({"id": "ab", "variants": [control]}), "variants"),
            (
                json!({"id": "a b", "variants": [control, {"name": "pop", "share": 0.5}]}),
                "id",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "pop", "share": 0.6}]}),
                "variants",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "control", "share": 0.5}]}),
                "variants[1].name",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "pop", "share": 0.5, "algorithm": "ease"}]}),
                "variants[1].algorithm",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "pop", "share": 0.5, "model_version": 99}]}),
                "variants[1].model_version",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "pop", "share": 0.5, "cf_weight": 2}]}),
                "variants[1].cf_weight",
            ),
            (
                json!({"id": "ab", "variants": [control, {"name": "pop", "share": 0.5, "preset": "none"}]}),
                "variants[1].preset",
            ),
        ] {
            let (status, problem) = server.post("/experiments", body.clone()).await;
            assert_problem(status, &problem, 422, Some(field));
        }

        let definition = json!({
            "id": "als-vs-popular",
            "description": "does the trained model beat popularity?",
            "variants": [control, {"name": "popular", "share": 0.5, "algorithm": "popularity"}],
        });
        let (status, created) = server.post("/experiments", definition.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {created}");
        assert_eq!(created["status"], "draft", "{name}: {created}");
        assert_eq!(
            created["variants"][1]["model_version"], popularity,
            "{name}: the algorithm is resolved to its newest version: {created}"
        );
        let (status, problem) = server.post("/experiments", definition).await;
        assert_problem(status, &problem, 409, None);

        // A draft assigns nobody.
        let before = arms(&server, None).await;
        assert!(
            before.values().all(|(_, v)| *v == als),
            "{name}: {before:?}"
        );

        let (status, started) = server
            .post("/experiments/als-vs-popular/start", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {started}");
        assert_eq!(started["status"], "running", "{name}: {started}");
        assert!(
            started["started_at"].as_i64().is_some(),
            "{name}: {started}"
        );

        // Every user is in one variant, served by its model, the same on every request
        // and on a second server over the same database.
        let first = arms(&server, Some("als-vs-popular")).await;
        for (user, (variant, version)) in &first {
            let expected = match variant.as_deref() {
                Some("control") => als,
                Some("popular") => popularity,
                other => panic!("{name}: {user} in {other:?}"),
            };
            assert_eq!(*version, expected, "{name}: {user} in {variant:?}");
        }
        let in_popular = first
            .values()
            .filter(|(v, _)| v.as_deref() == Some("popular"))
            .count();
        assert!(
            (15..=45).contains(&in_popular),
            "{name}: about half of {USERS} users should be in each variant: {in_popular}"
        );
        assert_eq!(arms(&server, Some("als-vs-popular")).await, first, "{name}");
        let beside = TestServer::start_beside(config(), server.second_store().await).await;
        assert_eq!(
            arms(&beside, Some("als-vs-popular")).await,
            first,
            "{name}: the second server assigns alike"
        );

        // One experiment at a time.
        let (status, other) = server
            .post(
                "/experiments",
                json!({"id": "diversity", "variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5, "mmr_lambda": 0.5}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {other}");
        let (status, problem) = beside.post("/experiments/diversity/start", json!({})).await;
        assert_problem(status, &problem, 409, None);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("als-vs-popular"),
            "{name}: {problem}"
        );

        // A version an experiment serves with is kept.
        let (status, problem) = server.delete(&format!("/models/{popularity}")).await;
        assert_problem(status, &problem, 409, None);

        // Clicks sent back with the list's id count for its variant.
        let mut clicked = HashMap::<String, u64>::new();
        for u in 0..20 {
            let user = format!("u{u}");
            let (_, list) = server.get(&format!("/recommendations/{user}?n=5")).await;
            let id = list["recommendation_id"].as_str().expect("id");
            let item = list["recommendations"][0]["item_id"]
                .as_str()
                .expect("item");
            let (status, body) = server
                .post(
                    "/interactions",
                    json!([{"user_id": user, "item_id": item, "kind": "click", "recommendation_id": id}]),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
            *clicked
                .entry(list["variant"].as_str().expect("variant").to_owned())
                .or_default() += 1;
        }
        // Lists served within the experiment: two rounds here, one beside, 20 above.
        let lists = 3 * USERS as u64 + 20;
        let report = report_when_written(&server, "als-vs-popular", lists, 20).await;
        let results = report["results"].as_array().expect("results");
        assert_eq!(results.len(), 2, "{name}: {report}");
        assert_eq!(results[0]["name"], "control", "{name}: {report}");
        assert!(results[0]["against_control"].is_null(), "{name}: {report}");
        assert!(
            results[1]["against_control"]["ctr"]["p_value"].is_number(),
            "{name}: {report}"
        );
        let mut users = 0;
        for result in results {
            let variant = result["name"].as_str().expect("name");
            assert_eq!(
                result["clicks"].as_u64(),
                Some(clicked.get(variant).copied().unwrap_or(0)),
                "{name}: {report}"
            );
            users += result["users"].as_u64().expect("users");
            let ctr = &result["ctr"];
            assert!(
                ctr["low"].as_f64() <= ctr["rate"].as_f64()
                    && ctr["rate"].as_f64() <= ctr["high"].as_f64(),
                "{name}: {report}"
            );
        }
        assert_eq!(users, USERS as u64, "{name}: {report}");
        let counted: u64 = results
            .iter()
            .map(|r| r["lists"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(
            counted, lists,
            "{name}: both servers' lists, each once: {report}"
        );
        assert!(
            !report["warnings"].as_array().expect("warnings").is_empty(),
            "{name}: 20 clicks cannot decide: {report}"
        );
        assert!(
            !report["series"].as_array().expect("series").is_empty(),
            "{name}: {report}"
        );
        // The recorded list names its experiment and variant.
        let (_, list) = server.get("/recommendations/u1?n=2").await;
        let id = list["recommendation_id"].as_str().expect("id");
        let recorded = impression_when_written(&server, id).await;
        assert_eq!(
            recorded["experiment"], "als-vs-popular",
            "{name}: {recorded}"
        );
        assert_eq!(
            recorded["variant"].as_str(),
            first["u1"].0.as_deref(),
            "{name}: {recorded}"
        );

        // Paused: everyone is served as before, on both servers.
        let (status, paused) = beside
            .post("/experiments/als-vs-popular/pause", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {paused}");
        assert_eq!(paused["status"], "paused", "{name}: {paused}");
        wait_for_experiment(&server, "u0", None).await;
        assert!(
            arms(&server, None).await.values().all(|(_, v)| *v == als),
            "{name}"
        );
        assert!(
            arms(&beside, None).await.values().all(|(_, v)| *v == als),
            "{name}"
        );

        // Started again, each user is back in the same variant.
        let (status, _) = server
            .post("/experiments/als-vs-popular/start", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}");
        wait_for_experiment(&beside, "u0", Some("als-vs-popular")).await;
        assert_eq!(arms(&beside, Some("als-vs-popular")).await, first, "{name}");

        // Stopped for good; a running experiment cannot be deleted, a stopped one can.
        let (status, problem) = server.delete("/experiments/als-vs-popular").await;
        assert_problem(status, &problem, 409, None);
        let (status, stopped) = server
            .post("/experiments/als-vs-popular/stop", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {stopped}");
        assert!(stopped["ended_at"].as_i64().is_some(), "{name}: {stopped}");
        let (status, problem) = server
            .post("/experiments/als-vs-popular/start", json!({}))
            .await;
        assert_problem(status, &problem, 409, None);
        let (status, listed) = server.get("/experiments").await;
        assert_eq!(status, StatusCode::OK, "{name}: {listed}");
        assert_eq!(listed.as_array().map(Vec::len), Some(2), "{name}: {listed}");
        let (status, _) = server.delete("/experiments/als-vs-popular").await;
        assert_eq!(status, StatusCode::OK, "{name}");
        let (status, problem) = server.get("/experiments/als-vs-popular").await;
        assert_problem(status, &problem, 404, None);
        let (status, body) = server.delete(&format!("/models/{popularity}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");

        beside.finish().await;
        server.finish().await;
    }
}

/// The report once the writers have stored `lists` lists and `clicks` clicks.
async fn report_when_written(server: &TestServer, id: &str, lists: u64, clicks: u64) -> Value {
    let started = Instant::now();
    loop {
        let (status, report) = server.get(&format!("/experiments/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let sum = |key: &str| -> u64 {
            report["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| r[key].as_u64().unwrap_or(0))
                .sum()
        };
        if sum("lists") >= lists && sum("clicks") >= clicks {
            return report;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the clicks were not counted: {report}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A recorded list, once the writer has stored it.
async fn impression_when_written(server: &TestServer, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, list) = server.get(&format!("/impressions/{id}")).await;
        if status == StatusCode::OK {
            return list;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "list {id} was not recorded: {list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
