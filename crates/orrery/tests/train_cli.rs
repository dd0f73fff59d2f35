//! `orrery train` end to end: versions in the registry, activation rules, metrics measured
//! on a validation split, field-level errors, and a version trained by the CLI served by
//! `orrery serve`.

mod common;

use common::{TestDb, shared_data};

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
        // Keeping two versions prunes the oldest one that is neither active nor pinned.
        assert_eq!(third["pruned"], serde_json::json!([1]));
    }
}

#[test]
fn bad_parameters_and_an_empty_store_are_clear_errors() {
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
