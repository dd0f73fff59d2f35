//! Experiments rehearsed by a simulated population (`orrery simulate-users`) against a
//! real `orrery serve`, on SQLite and PostgreSQL: an A/B experiment of a trained ALS model
//! against popularity finds ALS the winner with p < 0.01, with a CTR lift within 10 % of
//! the lift the planted tastes predict for the lists served; the server counts every list
//! and click the population made; twenty A/A rounds (two identical variants, a new
//! assignment each) report p < 0.05 at most twice.
//!
//! The run is the same on every machine and both databases: the population and its
//! clicks come from seeds, the events carry the simulation's clock, each experiment has a
//! salt of its own, the catalog is embedded before training, and requests go one at a
//! time. Also `orrery experiment` on the same
//! database.
//!
//! With the exploration slot on, a new item whose planted appeal is in the catalog's top
//! 5 % enters at least 5 % of the lists of 2,000 simulated requests and of their second
//! half, while the least appealing new item loses its slot (at most 1 % of the last
//! quarter's lists).

mod common;

use std::time::{Duration, Instant};

use common::{Process, TestDb, orrery_command};
use serde_json::{Value, json};

const KEY: &str = "experiments-cli-key";

struct Server {
    base: String,
    client: reqwest::Client,
    _process: Process,
}

impl Server {
    fn start(db: &TestDb) -> Server {
        Server::start_with(db, &[])
    }

    fn start_with(db: &TestDb, extra: &[&str]) -> Server {
        let mut args = vec!["--api-key", KEY];
        args.extend_from_slice(extra);
        let (child, base) = common::spawn_server(&db.url, &args);
        Server {
            base,
            client: reqwest::Client::new(),
            _process: Process(child),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .header("X-API-Key", KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn train(&self, body: Value) -> i64 {
        let started = self.post("/training/train", body).await;
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let status = self.get("/training/status").await;
            if status["running"] == false && status["last"]["run_id"] == started["run_id"] {
                assert_eq!(status["last"]["status"], "succeeded", "{status}");
                return status["last"]["version"].as_i64().expect("version");
            }
            assert!(
                Instant::now() < deadline,
                "training did not finish: {status}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text encoder has embedded every item.
    async fn embedded(&self) {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let health = self.get("/health").await;
            let encoder = &health["text_encoder"];
            if encoder["items_pending"] == 0 && encoder["items_embedded"].as_u64() > Some(0) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the items were not embedded: {health}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The report of experiment `id` once the server has written the lists and clicks
    /// of the `simulated` rehearsal (the writer stores them a moment after serving).
    async fn report(&self, id: &str, simulated: &Value) -> Value {
        let total = |key: &str| -> u64 {
            simulated["variants"]
                .as_object()
                .expect("variants")
                .values()
                .map(|v| v[key].as_u64().unwrap_or(0))
                .sum()
        };
        let (lists, clicks) = (total("lists"), total("clicks"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let report = self.get(&format!("/experiments/{id}")).await;
            let counted = |key: &str| -> u64 {
                report["results"]
                    .as_array()
                    .expect("results")
                    .iter()
                    .map(|r| r[key].as_u64().unwrap_or(0))
                    .sum()
            };
            if counted("lists") >= lists && counted("clicks") >= clicks {
                assert_eq!(counted("lists"), lists, "each list once: {report}");
                assert_eq!(counted("clicks"), clicks, "each click once: {report}");
                return report;
            }
            assert!(
                Instant::now() < deadline,
                "the lists and clicks were not recorded: {report}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// `orrery simulate-users --json` against `server`.
fn simulate(db: &TestDb, server: &Server, args: &[&str]) -> Value {
    let mut all = vec![
        "simulate-users",
        "--server",
        &server.base,
        "--api-key",
        KEY,
        "--json",
    ];
    all.extend_from_slice(args);
    let out = orrery_command(&db.url, &all).output().unwrap();
    assert!(
        out.status.success(),
        "orrery {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

#[test]
fn a_simulated_population_tells_als_from_popularity_and_an_a_a_test_from_a_difference() {
    // Each database outside the runtime: dropping a PostgreSQL one runs a runtime of its
    // own.
    for db in TestDb::all() {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(rehearse(&db));
    }
}

/// The A/B and (on SQLite) the A/A experiments on `db`.
async fn rehearse(db: &TestDb) {
    let server = Server::start(db);
    simulate(db, &server, &["--setup", "--requests", "0"]);
    // Training and serving read the item embeddings: once they are all there, whatever
    // the encoder's speed.
    server.embedded().await;
    let popularity = server.train(json!({"algorithm": "popularity"})).await;
    let als = server
        .train(json!({"algorithm": "als", "activate": true}))
        .await;

    // A/B: popularity is the control, ALS the treatment.
    let definition = json!({
        "id": "als-vs-popularity",
        "salt": "als-vs-popularity",
        "variants": [
            {"name": "control", "share": 0.5, "model_version": popularity},
            {"name": "als", "share": 0.5, "model_version": als},
        ],
    });
    server.post("/experiments", definition).await;
    server
        .post("/experiments/als-vs-popularity/start", json!({}))
        .await;
    // Once every item is embedded, and one request at a time, every list is made
    // from the same state on every run: the A/A rounds below are then the same too.
    server.embedded().await;
    let simulated = simulate(db, &server, &["--requests", "2000", "--concurrency", "1"]);
    let report = server.report("als-vs-popularity", &simulated).await;
    let results = report["results"].as_array().expect("results");
    let against = &results[1]["against_control"]["ctr"];
    assert!(
        against["p_value"].as_f64().expect("p") < 0.01,
        "{}: {report}",
        db.url
    );
    let lift = against["lift"].as_f64().expect("lift");
    assert!(lift > 0.0, "ALS wins: {report}");
    let planted = simulated["variants"]["als"]["planted_lift"]
        .as_f64()
        .expect("planted lift");
    assert!(
        (lift - planted).abs() <= 0.1 * planted.abs(),
        "{}: lift {lift} against planted {planted}: {report} {simulated}",
        db.url
    );
    println!(
        "{}: ALS against popularity: CTR lift {lift:.4} (planted {planted:.4}), p {}",
        db.url, against["p_value"]
    );
    // The server counted what the population did.
    for (i, name) in ["control", "als"].iter().enumerate() {
        let ours = &simulated["variants"][name];
        assert_eq!(results[i]["lists"], ours["lists"], "{report} {simulated}");
        assert_eq!(
            results[i]["items_shown"], ours["shown"],
            "{report} {simulated}"
        );
        assert_eq!(results[i]["clicks"], ours["clicks"], "{report} {simulated}");
        assert_eq!(
            results[i]["conversions"], ours["conversions"],
            "{report} {simulated}"
        );
    }
    let shown = orrery_command(&db.url, &["experiment", "show", "als-vs-popularity"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("als") && text.contains("control"), "{text}");
    server
        .post("/experiments/als-vs-popularity/stop", json!({}))
        .await;

    // A/A: two identical variants, twenty times over with a new assignment each.
    let mut significant = Vec::new();
    for round in 1..=20 {
        let id = format!("a-a-{round}");
        server
            .post(
                "/experiments",
                json!({
                    "id": id,
                    "salt": format!("a-a-{round}"),
                    "variants": [{"name": "control", "share": 0.5}, {"name": "same", "share": 0.5}],
                }),
            )
            .await;
        server
            .post(&format!("/experiments/{id}/start"), json!({}))
            .await;
        let simulated = simulate(
            db,
            &server,
            // One request at a time: each list is made after the clicks before it,
            // so that every round is the same on every run.
            &[
                "--requests",
                "300",
                "--round",
                &round.to_string(),
                "--concurrency",
                "1",
            ],
        );
        let report = server.report(&id, &simulated).await;
        let p = report["results"][1]["against_control"]["ctr"]["p_value"]
            .as_f64()
            .expect("p");
        if p < 0.05 {
            significant.push((round, p));
        }
        server
            .post(&format!("/experiments/{id}/stop"), json!({}))
            .await;
    }
    assert!(
        significant.len() <= 2,
        "{}: A/A rounds with p < 0.05: {significant:?}",
        db.url
    );
    println!("{}: A/A rounds with p < 0.05: {significant:?}", db.url);
}

#[test]
fn exploration_raises_a_good_new_item_and_drops_a_poor_one() {
    for db in TestDb::all() {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(explore(&db));
    }
}

/// A population with 20 new items, served by ALS with the exploration slot in every list.
async fn explore(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("orrery.toml");
    std::fs::write(
        &config,
        "[flow.exploration]\nshare = 1.0\nposition = 3\nnew_items = 20\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let server = Server::start_with(db, &["--config", &config]);
    let population = ["--users", "2000", "--fresh-items", "20", "--seed", "1"];
    let mut setup = population.to_vec();
    setup.extend_from_slice(&["--setup", "--requests", "0"]);
    simulate(db, &server, &setup);
    server.embedded().await;
    server
        .train(json!({"algorithm": "als", "activate": true}))
        .await;
    let mut run = population.to_vec();
    run.extend_from_slice(&["--requests", "2000", "--concurrency", "1"]);
    let simulated = simulate(db, &server, &run);
    let fresh = simulated["fresh"].as_array().expect("fresh items");
    let lists = |item: &Value| -> Vec<u64> {
        item["lists"]
            .as_array()
            .expect("lists per quarter")
            .iter()
            .map(|l| l.as_u64().unwrap())
            .collect()
    };

    // The most appealing new item, in the catalog's top 5 %.
    let best = &fresh[0];
    assert!(best["appeal_rank"].as_f64().unwrap() <= 0.05, "{best}");
    let quarters = lists(best);
    let total: u64 = quarters.iter().sum();
    assert!(
        total as f64 / 2000.0 >= 0.05,
        "{}: the best new item in {total} of 2,000 lists: {best}",
        db.url
    );
    assert!(
        (quarters[2] + quarters[3]) as f64 / 1000.0 >= 0.05,
        "{}: the best new item did not keep its place: {best}",
        db.url
    );
    assert!(best["explored"].as_u64().unwrap() > 0, "{best}");

    // The least appealing one, in the catalog's bottom half, lost its slot: in the second
    // half it is in under 1.5 % of the lists, where an even share of the slot among the
    // 20 new items is 5 %. (The counts the bandit reads are refreshed each second, so one
    // quarter alone swings by a few lists between runs.)
    let worst = fresh.last().unwrap();
    assert!(worst["appeal_rank"].as_f64().unwrap() > 0.5, "{worst}");
    let quarters = lists(worst);
    assert!(
        (quarters[2] + quarters[3]) as f64 / 1000.0 <= 0.015 && quarters[3] < quarters[0],
        "{}: the least appealing new item kept its slot: {worst}",
        db.url
    );
    println!(
        "{}: lists per quarter of the best new item (appeal top {:.1} %) {:?}, of the worst {:?}",
        db.url,
        best["appeal_rank"].as_f64().unwrap() * 100.0,
        lists(best),
        quarters
    );

    // Answers and impressions mark the slot.
    let list = server.get("/recommendations/sim-u3?n=10").await;
    let items = list["recommendations"].as_array().expect("items");
    let marked: Vec<usize> = (0..items.len())
        .filter(|&i| {
            items[i]["sources"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == "exploration"))
        })
        .collect();
    assert!(marked.len() <= 1, "one slot: {list}");
    if let Some(&at) = marked.first() {
        assert_eq!(at, 2, "the slot is at position 3: {list}");
        let explanation = items[at]["explanation"].as_str().unwrap_or_default();
        assert!(
            explanation.starts_with("new in the catalog"),
            "{explanation}"
        );
    }
    let id = list["recommendation_id"].as_str().expect("an id");
    let deadline = Instant::now() + Duration::from_secs(30);
    let recorded = loop {
        let response = server
            .client
            .get(format!("{}/impressions/{id}", server.base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .unwrap();
        if response.status().is_success() {
            break response.json::<Value>().await.unwrap();
        }
        assert!(Instant::now() < deadline, "the list was not recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        recorded["explored_position"],
        marked.first().map_or(Value::Null, |&at| json!(at + 1)),
        "{recorded}"
    );
}
