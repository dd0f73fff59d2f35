//! `orrery train` end to end: versions in the registry, activation rules, metrics measured
//! on a validation split, field-level errors, a version trained by the CLI served by
//! `orrery serve`, and runs stopped by Ctrl-C or by the server stopping recorded as
//! cancelled with nothing stored.

mod common;

use std::io::Read;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{Process, TestDb, shared_data};

fn train(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["train", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&db.ok(&all)).unwrap()
}

fn import_ml100k(db: &TestDb) {
    let data = shared_data().join("ml-100k");
    db.ok(&["import", data.to_str().unwrap()]);
}

#[test]
fn versions_are_stored_measured_and_activated_as_asked() {
    if common::without_data() {
        return;
    }
    for db in TestDb::all() {
        import_ml100k(&db);
        let first = train(&db, &["--algo", "svd", "--param", "epochs=5", "factors=8"]);
        assert_eq!(first["version"], 1, "{first}");
        assert_eq!(first["algorithm"], "mf");
        assert_eq!(first["params"]["factors"], "8");
        // The first version is activated when nothing else is active.
        assert_eq!(first["activated"], true);
        assert_eq!(first["n_interactions"], 100_000);
        let rmse = first["metrics"]["rmse"].as_f64().unwrap();
        assert!(rmse > 0.5 && rmse < 1.1, "validation RMSE {rmse}");

        let second = train(&db, &["--algo", "baseline"]);
        assert_eq!(second["version"], 2);
        assert_eq!(second["activated"], false, "{second}");
        let third = train(
            &db,
            &[
                "--algo",
                "popularity",
                "--activate",
                "--keep",
                "2",
                "--validation-ratio",
                "0",
            ],
        );
        assert_eq!(third["version"], 3);
        assert_eq!(third["activated"], true);
        assert!(third["metrics"].as_object().unwrap().is_empty(), "{third}");
        // A ranking version (popularity) is active beside the rating one (mf), and the
        // second is among the two kept: nothing goes.
        assert_eq!(third["pruned"], serde_json::json!([]), "{third}");
        let fourth = train(&db, &["--algo", "baseline", "--activate", "--keep", "2"]);
        assert_eq!(fourth["activated"], true, "{fourth}");
        // It replaces mf as the rating model: the two oldest are neither active nor pinned.
        assert_eq!(fourth["pruned"], serde_json::json!([2, 1]), "{fourth}");
    }
}

#[test]
fn training_with_nothing_named_stores_a_ranking_and_a_rating_model() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    import_ml100k(&db);
    let trained = train(&db, &[]);
    let ranking = trained["algorithm"].as_str().unwrap();
    assert!(["als", "ease", "itemknn"].contains(&ranking), "{trained}");
    assert_eq!(trained["activated"], true, "{trained}");
    let rating = &trained["rating_model"];
    assert_eq!(rating["algorithm"], "mf", "{trained}");
    assert_eq!(rating["activated"], true, "{trained}");
    assert!(
        rating["metrics"]["rmse"].as_f64().is_some_and(|r| r < 1.05),
        "{trained}"
    );
    let out = db.ok(&["train", "--activate"]);
    assert!(out.contains("now active for lists"), "{out}");
    assert!(out.contains("now active for predicted ratings"), "{out}");
}

#[test]
fn bad_parameters_and_an_empty_store_are_clear_errors() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    let out = db.orrery(&["train", "--algo", "mf"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no interactions"), "{err}");

    import_ml100k(&db);
    let out = db.orrery(&["train", "--algo", "mf", "--param", "factors=0"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("factors"), "{err}");
    let out = db.orrery(&["train", "--algo", "deep_magic"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("deep_magic"), "{err}");
    // Nothing was stored by the failed runs.
    let ok = train(&db, &["--algo", "popularity"]);
    assert_eq!(ok["version"], 1);
}

#[test]
fn a_version_trained_by_the_cli_is_served() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    import_ml100k(&db);
    let trained = train(&db, &["--algo", "als", "--param", "iterations=3"]);
    assert_eq!(trained["activated"], true);

    let (mut server, base) = common::spawn_server(&db.url, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (health, recs) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let health: serde_json::Value = client
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let recs = client
            .get(format!("{base}/recommendations/1?n=5"))
            .send()
            .await
            .unwrap();
        assert_eq!(recs.status(), 200);
        let recs: serde_json::Value = recs.json().await.unwrap();
        (health, recs)
    });
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(health.to_string().contains("als"), "{health}");
    let list = recs["recommendations"].as_array().unwrap();
    assert_eq!(list.len(), 5, "{recs}");
}

/// The newest training run's status and error, and the number of stored versions.
fn last_run(db: &TestDb) -> (String, Option<String>, usize) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = orrery_store::Store::connect(&db.url).await.unwrap();
        let runs = store.training_runs(1).await.unwrap();
        let versions = store.list_model_versions().await.unwrap().len();
        store.close().await;
        let run = runs.first().expect("a recorded run");
        let status = serde_json::to_value(run.status).unwrap();
        (
            status.as_str().unwrap().to_owned(),
            run.error.clone(),
            versions,
        )
    })
}

/// Waits until the store records a running training run: the process then listens for
/// its stop signal.
fn wait_for_a_running_run(db: &TestDb, process: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            process.try_wait().unwrap().is_none(),
            "the process ended before its training started"
        );
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let running = runtime.block_on(async {
            let store = orrery_store::Store::connect(&db.url).await.unwrap();
            let runs = store.training_runs(1).await.unwrap();
            store.close().await;
            runs.first()
                .is_some_and(|r| r.status == orrery_store::RunStatus::Running)
        });
        if running {
            // Past recording the run, into loading and fitting.
            std::thread::sleep(Duration::from_millis(500));
            return;
        }
        assert!(Instant::now() < deadline, "no training run started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends `signal` and returns how long the process took to end, its exit status and what
/// it wrote on stderr.
fn stop(process: &mut Process, signal: i32) -> (Duration, ExitStatus, String) {
    let sent = Instant::now();
    // SAFETY: the child's pid, still running (its exit status was not collected).
    assert_eq!(unsafe { libc::kill(process.0.id() as i32, signal) }, 0);
    let deadline = sent + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = process.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not end within 60 s of the signal"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = sent.elapsed();
    let mut stderr = String::new();
    if let Some(mut pipe) = process.0.stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    (took, status, stderr)
}

/// A run so long that only a cancellation ends it within the test.
const ENDLESS: [&str; 4] = ["--algo", "mf", "--param", "epochs=10000"];

#[test]
fn ctrl_c_stops_orrery_train_and_records_the_run_cancelled() {
    if common::without_data() {
        return;
    }
    for db in TestDb::all() {
        import_ml100k(&db);
        let mut args = vec!["train", "--json"];
        args.extend_from_slice(&ENDLESS);
        let mut process = Process(
            common::orrery_command(&db.url, &args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        wait_for_a_running_run(&db, &mut process.0);
        let (took, status, stderr) = stop(&mut process, libc::SIGINT);
        assert!(!status.success(), "{stderr}");
        assert!(stderr.contains("cancelled"), "{stderr}");
        // An epoch of MF on ML-100K takes well under a second even in a debug build.
        assert!(took < Duration::from_secs(15), "{took:?}: {stderr}");
        let (status, error, versions) = last_run(&db);
        assert_eq!(status, "cancelled", "{error:?}");
        assert_eq!(error.as_deref(), Some("interrupted (Ctrl-C)"));
        assert_eq!(versions, 0, "a cancelled run stores nothing");
    }
}

#[test]
fn stopping_the_server_stops_its_training() {
    if common::without_data() {
        return;
    }
    for db in TestDb::all() {
        import_ml100k(&db);
        let (server, base) = common::spawn_server(&db.url, &[]);
        let mut server = Process(server);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let accepted = runtime.block_on(async {
            reqwest::Client::new()
                .post(format!("{base}/training/train"))
                .json(&serde_json::json!({
                    "algorithm": "mf",
                    "params": {"factors": "256", "epochs": "10000"}
                }))
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_eq!(accepted, 202);
        wait_for_a_running_run(&db, &mut server.0);
        let (took, _, _) = stop(&mut server, libc::SIGTERM);
        // The run stops at its next epoch, and the server waits for it at most
        // TRAINING_STOP_GRACE (10 s).
        assert!(took < Duration::from_secs(20), "{took:?}");
        let (status, error, versions) = last_run(&db);
        assert_eq!(status, "cancelled", "{error:?}");
        assert_eq!(error.as_deref(), Some("the server stopped"));
        assert_eq!(versions, 0);
        // Nothing of it keeps the port: a new server starts on the same database.
        drop(Process(common::spawn_server(&db.url, &[]).0));
    }
}
