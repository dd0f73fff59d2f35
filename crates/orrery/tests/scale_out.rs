//! Several processes on one PostgreSQL database: two `orrery serve` and one
//! `orrery train --watch`. Feedback sent to one server reaches the other's seen-filter,
//! the watcher retrains after new feedback, and a version activated anywhere is served by
//! both servers within 5 s — with registry polling off, so the change announcements
//! (LISTEN/NOTIFY) are what carries it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Process, TestDb, orrery_command, shared_data};
use serde_json::{Value, json};

/// `orrery serve` on a free port of 127.0.0.1 with registry polling off, and its base URL.
fn serve(db: &TestDb) -> (Process, String) {
    let (child, base) = common::spawn_server(&db.url, &["--registry-poll", "0"]);
    (Process(child), base)
}

async fn get(client: &reqwest::Client, url: String) -> Value {
    let response = client.get(&url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "GET {url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let response = client.post(&url).json(&body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "POST {url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn recommended(list: &Value) -> Vec<String> {
    list["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn active_version(client: &reqwest::Client, base: &str) -> Option<i64> {
    get(client, format!("{base}/health")).await["active_model"]["version"].as_i64()
}

/// Waits until `check` holds, at most `limit`; the time it took.
async fn within<F, Fut>(limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < limit,
            "not within {limit:?}: the other processes did not follow"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[test]
fn two_servers_and_a_watching_trainer_share_one_postgres() {
    if common::without_data() {
        return;
    }
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let data = shared_data().join("ml-100k").join("u1.base");
    db.ok(&["import", data.to_str().unwrap()]);
    let first: Value = serde_json::from_str(&db.ok(&[
        "train",
        "--json",
        "--algo",
        "als",
        "--param",
        "iterations=2",
        "--validation-ratio",
        "0",
    ]))
    .unwrap();
    assert_eq!(first["version"], 1);

    let (_a, a) = serve(&db);
    let (_b, b) = serve(&db);
    let mut watcher = Process(
        orrery_command(
            &db.url,
            &[
                "train",
                "--watch",
                "--after-events",
                "5",
                "--poll",
                "1",
                "--json",
                "--algo",
                "als",
                "--param",
                "iterations=2",
                "--validation-ratio",
                "0",
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap(),
    );
    // Events count from when the watcher started watching.
    let mut watcher_log = BufReader::new(watcher.0.stderr.take().unwrap()).lines();
    loop {
        let line = watcher_log
            .next()
            .expect("the watcher ended before it started watching")
            .unwrap();
        if line.starts_with("watching") {
            break;
        }
    }
    std::thread::spawn(move || watcher_log.for_each(drop));
    let (versions_tx, versions) = std::sync::mpsc::channel::<Value>();
    let stdout = watcher.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = versions_tx.send(v);
            }
        }
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        assert_eq!(active_version(&client, &a).await, Some(1));
        assert_eq!(active_version(&client, &b).await, Some(1));

        // B caches user 1's view, then user 1 likes B's top item through A: B's next
        // list for user 1 leaves it out.
        let before = recommended(&get(&client, format!("{b}/recommendations/1?n=5")).await);
        let liked = before[0].clone();
        post(
            &client,
            format!("{a}/recommendations/feedback"),
            json!({"user_id": "1", "content_id": liked, "feedback_type": "positive"}),
        )
        .await;
        let seen_after = within(Duration::from_secs(5), || async {
            let now = recommended(&get(&client, format!("{b}/recommendations/1?n=5")).await);
            !now.contains(&liked)
        })
        .await;
        println!("feedback sent to A left B's list after {seen_after:?}");

        // Four more events make five new ones: the watcher trains version 2 and activates
        // it, and both servers serve it.
        for item in before.iter().skip(1) {
            post(
                &client,
                format!("{a}/interactions"),
                json!({"user_id": "2", "item_id": item, "kind": "click"}),
            )
            .await;
        }
        let trained =
            tokio::task::spawn_blocking(move || versions.recv_timeout(Duration::from_secs(60)))
                .await
                .unwrap()
                .expect("the watcher trained a new version after five new interactions");
        assert_eq!(trained["version"], 2, "{trained}");
        assert_eq!(trained["activated"], true, "{trained}");
        let followed = within(Duration::from_secs(5), || async {
            active_version(&client, &a).await == Some(2)
                && active_version(&client, &b).await == Some(2)
        })
        .await;
        println!("both servers served the watcher's version 2 after {followed:?}");

        // An activation through one server's API reaches the other.
        let activated = client
            .post(format!("{a}/models/1/activate"))
            .send()
            .await
            .unwrap();
        assert!(activated.status().is_success(), "{}", activated.status());
        let followed = within(Duration::from_secs(5), || async {
            active_version(&client, &b).await == Some(1)
        })
        .await;
        println!("B served the version activated on A after {followed:?}");
    });
}
