//! `orrery import` and `orrery stats` end to end: real datasets, both backends, and the
//! all-or-nothing guarantee on a bad line and on a killed process.

mod common;

use std::time::{Duration, Instant};

use common::{Process, TestDb, assert_counts, orrery_command, shared_data};

#[test]
fn movielens_1m_half_reports_the_documented_counts() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-1m-users-1-2999");
    for db in TestDb::all() {
        db.ok(&["import", data.to_str().unwrap()]);
        let stats = db.stats();
        assert_counts(&stats, [6_040, 2_999, 3_883, 3_615, 487_650]);
        let mean = stats["mean_rating"].as_f64().unwrap();
        assert!((mean - 3.5719).abs() < 1e-4, "mean rating {mean}");

        // A second run adds nothing.
        let again: serde_json::Value =
            serde_json::from_str(&db.ok(&["import", data.to_str().unwrap(), "--json"])).unwrap();
        assert_eq!(again["interactions_inserted"], 0, "{again}");
        assert_eq!(again["interactions_skipped"], 487_650, "{again}");
        assert_counts(&db.stats(), [6_040, 2_999, 3_883, 3_615, 487_650]);
    }
}

#[test]
fn a_generated_dataset_imports_as_movielens_20m() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("synthetic");
    let db = TestDb::sqlite();
    let args = [
        "generate",
        "--users",
        "300",
        "--items",
        "500",
        "--interactions",
        "20000",
        "--out",
        out.to_str().unwrap(),
    ];
    db.ok(&args);
    db.ok(&["import", out.to_str().unwrap()]);
    // Users and items are created by their interactions; every item is in movies.csv.
    let stats = db.stats();
    assert_eq!(stats["interactions"], 20_000, "{stats}");
    assert_eq!(stats["users"], 300, "{stats}");
    assert_eq!(stats["items"], 500, "{stats}");
}

#[test]
fn movielens_100k_reports_the_documented_counts() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-100k");
    for db in TestDb::all() {
        db.ok(&["import", data.to_str().unwrap()]);
        let stats = db.stats();
        assert_counts(&stats, [943, 943, 1_682, 1_682, 100_000]);
        let density = stats["density"].as_f64().unwrap();
        assert!((density - 100_000.0 / (943.0 * 1_682.0)).abs() < 1e-9);
    }
}

#[test]
fn a_split_kept_as_two_files_loads_as_two_datasets() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-100k");
    let train = TestDb::sqlite();
    let test = TestDb::sqlite();
    train.ok(&["import", data.join("u1.base").to_str().unwrap()]);
    test.ok(&["import", data.join("u1.test").to_str().unwrap()]);
    assert_eq!(train.stats()["interactions"], 80_000);
    assert_eq!(test.stats()["interactions"], 20_000);
}

#[test]
fn a_bad_line_fails_with_its_location_and_stores_nothing() {
    if common::without_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let good = shared_data().join("ml-100k/u.data");
    let lines: Vec<String> = std::fs::read_to_string(&good)
        .unwrap()
        .lines()
        .take(5_000)
        .map(str::to_owned)
        .collect();
    let mut text = lines[..4_000].join("\n");
    text.push_str("\n196\t242\tlots\t881250949\n");
    text.push_str(&lines[4_000..].join("\n"));
    let bad = dir.path().join("u.data");
    std::fs::write(&bad, text).unwrap();

    for db in TestDb::all() {
        db.ok(&[
            "import",
            shared_data().join("ml-100k/u1.test").to_str().unwrap(),
        ]);
        let before = db.stats();
        let out = db.orrery(&["import", bad.to_str().unwrap()]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("u.data") && stderr.contains("line 4001") && stderr.contains("rating"),
            "the error must name the file, line and field: {stderr}"
        );
        assert_eq!(db.stats(), before, "a failed import must store nothing");
    }
}

#[test]
fn a_killed_import_leaves_the_database_as_it_was() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-1m-users-1-2999");
    for db in TestDb::all() {
        db.ok(&[
            "import",
            shared_data().join("ml-100k/u1.test").to_str().unwrap(),
        ]);
        let before = db.stats();
        let mut child = orrery_command(&db.url, &["import", data.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it while it writes: late enough that rows have been sent, long before the
        // half-million ratings can be committed.
        let started = Instant::now();
        std::thread::sleep(Duration::from_millis(1_500));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished in {:?}, before it could be killed",
            started.elapsed()
        );
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        assert_eq!(db.stats(), before, "a killed import must leave no trace");
    }
}

#[test]
fn every_subcommand_takes_a_database_url_and_rejects_a_bad_one() {
    let out = orrery_command("mysql://nowhere/x", &["stats"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mysql://nowhere/x"), "{stderr}");
}

#[test]
fn the_simulated_universe_is_stored_once_and_density_counts_pairs() {
    for db in TestDb::all() {
        let first = db.ok(&["simulate", "--load"]);
        assert!(
            first.contains("12000") || first.contains("32000"),
            "{first}"
        );
        let stats = db.stats();
        assert_eq!(stats["users"], 120);
        // Repeated events on one (user, item) pair count once in the density.
        let density = stats["density"].as_f64().unwrap();
        assert!(density > 0.0 && density <= 1.0, "density {density}");
        db.ok(&["simulate", "--load"]);
        assert_eq!(db.stats(), stats, "a second run adds nothing");
    }
}

/// The data rows of a CSV file and the distinct values of one of its columns.
fn csv_rows_and_distinct(path: &std::path::Path, column: usize) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    let distinct: std::collections::HashSet<&str> = rows
        .iter()
        .map(|row| row.split(',').nth(column).unwrap())
        .collect();
    (rows.len(), distinct.len())
}

#[test]
fn the_folder_orrery_simulate_writes_imports_and_evaluates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = dir.path().join("sim");
    let sim_arg = sim.to_str().unwrap();
    for db in TestDb::all() {
        db.ok(&[
            "simulate",
            "--seed",
            "5",
            "--users",
            "40",
            "--interactions",
            "3000",
            "--stars",
            "20",
            "--planets",
            "10",
            "--moons",
            "10",
            "--object-events",
            "1500",
            "--strength-signal",
            "0.5",
            "--out",
            sim_arg,
        ]);
        let (strengths, users) =
            csv_rows_and_distinct(&sim.join("NN_Semantic_Interactions.csv"), 1);
        let (objects, _) = csv_rows_and_distinct(&sim.join("objects.csv"), 1);
        let (object_events, _) = csv_rows_and_distinct(&sim.join("object_interactions.csv"), 1);
        assert_eq!((strengths, users, objects), (3000, 40, 40));

        let summary: serde_json::Value =
            serde_json::from_str(&db.ok(&["import", sim_arg, "--json"])).unwrap();
        assert_eq!(summary["format"], "poppy-universe", "{summary}");
        let stats = db.stats();
        assert_eq!(stats["users"], 40, "{stats}");
        // The 21 category items and the catalog's objects.
        assert_eq!(stats["items"], 21 + 40, "{stats}");
        assert_eq!(
            stats["interactions"].as_u64(),
            Some((strengths + object_events) as u64),
            "{stats}"
        );
    }

    // `orrery eval` reads the same folder: the strengths are its ratings.
    let db = TestDb::sqlite();
    let report: serde_json::Value = serde_json::from_str(&db.ok(&[
        "eval",
        "--data",
        sim_arg,
        "--algo",
        "baseline",
        "--protocol",
        "holdout",
        "--json",
    ]))
    .unwrap();
    let rmse = report["metrics"]["rmse"].as_f64().unwrap();
    assert!(rmse.is_finite() && rmse > 0.0 && rmse < 2.0, "{report}");

    // A folder with object events but no catalog says what is missing.
    std::fs::remove_file(sim.join("objects.csv")).unwrap();
    let out = db.orrery(&["import", sim_arg]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing objects.csv"), "{stderr}");
}

/// Runs `orrery import PATH` (SQLite) and returns its stderr, failing the test when it
/// succeeds or does not end within `limit`.
fn failed_import(path: &std::path::Path, limit: Duration) -> String {
    let db = TestDb::sqlite();
    let mut child = orrery_command(&db.url, &["import", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "importing {} still runs after {limit:?}: a line without end is read whole",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "importing {} succeeded",
        path.display()
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_line_over_the_cap_fails_naming_the_file_line_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limit = orrery_data::import::MAX_LINE_BYTES;
    // A ratings file whose third line never ends, and a generic CSV whose header does not.
    let ratings = dir.path().join("u.data");
    let mut text = b"1\t1\t5\t881250949\n2\t1\t4\t881250949\n".to_vec();
    text.resize(text.len() + 3 * limit, b'7');
    std::fs::write(&ratings, &text).unwrap();
    let csv = dir.path().join("items.csv");
    std::fs::write(&csv, "x".repeat(2 * limit)).unwrap();
    for (path, line) in [(&ratings, "line 3"), (&csv, "line 1")] {
        let stderr = failed_import(path, Duration::from_secs(60));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            stderr.contains(name) && stderr.contains(line) && stderr.contains(&limit.to_string()),
            "the error must name {name}, {line} and the limit of {limit} bytes: {stderr}"
        );
    }
}

#[test]
fn an_endless_file_without_line_breaks_fails_instead_of_filling_memory() {
    let zero = std::path::Path::new("/dev/zero");
    if !zero.exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    let stderr = failed_import(zero, Duration::from_secs(60));
    assert!(
        stderr.contains("line 1") && stderr.contains("bytes"),
        "the error must name the line and the limit: {stderr}"
    );
}

/// A quoted CSV field whose closing quote is missing swallows the lines after it; the
/// record it makes is capped as a line is.
#[test]
fn an_unclosed_quote_fails_at_the_record_cap() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("interactions.csv");
    let mut text = String::from("user_id,item_id,rating\n1,1,4\n2,\"2,5\n");
    let line = "3,3,4\n";
    while text.len() < orrery_data::import::MAX_RECORD_BYTES + (1 << 20) {
        text.push_str(line);
    }
    std::fs::write(&csv, text).unwrap();
    let stderr = failed_import(&csv, Duration::from_secs(60));
    assert!(
        stderr.contains("interactions.csv") && stderr.contains("quote"),
        "the error must name the file and the missing quote: {stderr}"
    );
}

#[test]
fn a_running_server_sees_what_an_import_adds() {
    if common::without_data() {
        return;
    }
    for db in TestDb::all() {
        let (server, base) = common::spawn_server(&db.url, &[]);
        let _server = Process(server);
        let data = shared_data().join("ml-100k");
        db.ok(&["import", data.to_str().unwrap()]);

        // Within a few polls of the change log (SQLite) or at once (PostgreSQL's NOTIFY),
        // without a model being activated.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let seen = runtime.block_on(async {
            let client = reqwest::Client::new();
            let started = Instant::now();
            loop {
                let health: serde_json::Value = client
                    .get(format!("{base}/health"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let similar = client
                    .get(format!("{base}/items/1/similar?n=5"))
                    .send()
                    .await
                    .unwrap()
                    .status();
                if health["catalog_items"] == 1682 && similar == 200 {
                    return started.elapsed();
                }
                assert!(
                    started.elapsed() < Duration::from_secs(15),
                    "{}: the server did not see the import: {health}, similar {similar}",
                    db.url
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        eprintln!("{}: the server saw the import after {seen:?}", db.url);
    }
}

#[test]
fn ratings_on_any_scale_import_train_and_are_checked_by_the_server() {
    // A Jester-like file: ratings from −10 to 10, with a pattern a model can learn
    // (users of one parity like the jokes of that parity).
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("jokes.csv");
    let mut text = String::from("user,item,rating\n");
    for u in 0..60 {
        for j in 0..20 {
            if (u * 7 + j * 3) % 4 == 0 {
                continue;
            }
            let rating = if u % 2 == j % 2 { 8.5 } else { -9.0 } + (u % 3) as f32 * 0.5;
            text.push_str(&format!("u{u},joke-{j},{rating}\n"));
        }
    }
    text.push_str("u0,joke-1,-10\nu1,joke-1,10\n");
    std::fs::write(&csv, text).unwrap();

    for db in TestDb::all() {
        // Without --rating-scale, the scale is the range the file spans, and it says so.
        let answer: serde_json::Value =
            serde_json::from_str(&db.ok(&["import", csv.to_str().unwrap(), "--json"])).unwrap();
        assert_eq!(answer["rating_scale"]["read"], "-10..10", "{answer}");
        assert_eq!(answer["rating_scale"]["from"], "data", "{answer}");
        let plain = db.ok(&["import", csv.to_str().unwrap()]);
        assert!(
            plain.contains("ratings on a -10..10 scale (the range of the ratings read"),
            "{plain}"
        );
        // Stated as written in the docs, its minus sign and all.
        let stated = db.ok(&["import", csv.to_str().unwrap(), "--rating-scale", "-10..10"]);
        assert!(
            stated.contains("ratings on a -10..10 scale (as given)"),
            "{stated}"
        );
        // A stated scale is a check: a file off it fails and stores nothing more.
        let off_scale = db.orrery(&["import", csv.to_str().unwrap(), "--rating-scale", "0..5"]);
        assert!(!off_scale.status.success());
        let stderr = String::from_utf8_lossy(&off_scale.stderr);
        assert!(
            stderr.contains("jokes.csv") && stderr.contains("line 2") && stderr.contains("rating"),
            "{stderr}"
        );

        // A rating model predicts on the scale.
        db.ok(&["train", "--algo", "mf"]);
        let (server, base) = common::spawn_server(&db.url, &[]);
        let _server = Process(server);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let post = |value: f32| {
                client
                    .post(format!("{base}/interactions"))
                    .json(&serde_json::json!({
                        "user_id": "u5", "item_id": "joke-3", "kind": "rating", "value": value
                    }))
                    .send()
            };
            assert_eq!(post(-7.5).await.unwrap().status(), 201, "{}", db.url);
            let refused = post(11.0).await.unwrap();
            assert_eq!(refused.status(), 422, "{}", db.url);
            let problem: serde_json::Value = refused.json().await.unwrap();
            assert_eq!(problem["field"], "value", "{problem}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("11 is not a rating from -10 to 10"),
                "{problem}"
            );
            let predicted: serde_json::Value = client
                .post(format!("{base}/api/ml/predict"))
                .json(&serde_json::json!({"user_id": "u4", "item_id": "joke-2"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let rating = predicted["predicted_rating"].as_f64().unwrap();
            assert!(
                (0.0..=10.0).contains(&rating),
                "u4 likes even jokes: {predicted}"
            );
        });
    }
}
