//! `orrery eval` end to end: the JSON contract, a split kept as files, the NCF layout and
//! parameter validation.

mod common;

use common::{TestDb, shared_data};

fn eval(db: &TestDb, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&db.ok(args)).unwrap()
}

#[test]
fn a_split_given_as_files_reports_the_documented_json() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-100k");
    let db = TestDb::sqlite();
    let (train, test) = (data.join("u1.base"), data.join("u1.test"));
    let args = |algo| {
        vec![
            "eval",
            "--train",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--algo",
            algo,
            "--json",
        ]
    };
    let baseline = eval(&db, &args("baseline"));
    let mf = eval(&db, &args("mf"));
    for key in [
        "dataset",
        "algo",
        "params",
        "protocol",
        "metrics",
        "fit_seconds",
        "peak_rss_mb",
    ] {
        assert!(mf.get(key).is_some(), "{key} missing in {mf}");
    }
    assert_eq!(mf["algo"], "mf");
    assert_eq!(mf["params"]["factors"], "50");
    for metric in [
        "rmse",
        "mae",
        "precision@10",
        "recall@10",
        "ndcg@10",
        "hr@10",
        "map@10",
        "coverage@10",
    ] {
        let value = mf["metrics"][metric]
            .as_f64()
            .unwrap_or_else(|| panic!("{metric} in {mf}"));
        assert!(value.is_finite() && value >= 0.0, "{metric} = {value}");
    }
    let rmse = |r: &serde_json::Value| r["metrics"]["rmse"].as_f64().unwrap();
    assert!(
        rmse(&mf) < rmse(&baseline),
        "MF {} must beat the baseline {}",
        rmse(&mf),
        rmse(&baseline)
    );
}

#[test]
fn the_ncf_layout_uses_its_own_split_and_negatives() {
    if common::without_data() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(shared_data().join("ml-100k/u.data")).unwrap();
    // Leave each user's latest rating out, and rank it against 20 obscure items they never
    // rated (the highest ids of ML-100K are rarely rated).
    let mut rows: Vec<(u32, u32, u8, u64)> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.3, r.1));
    let (mut train, mut test, mut negatives) = (String::new(), String::new(), String::new());
    for (n, row) in rows.iter().enumerate() {
        let last = rows.get(n + 1).is_none_or(|next| next.0 != row.0);
        let line = format!("{}\t{}\t{}\t{}\n", row.0, row.1, row.2, row.3);
        if last {
            test.push_str(&line);
            let seen: std::collections::HashSet<u32> =
                rows.iter().filter(|r| r.0 == row.0).map(|r| r.1).collect();
            let unseen: Vec<String> = (1..=1682u32)
                .rev()
                .filter(|i| !seen.contains(i))
                .take(20)
                .map(|i| i.to_string())
                .collect();
            negatives.push_str(&format!("({},{})\t{}\n", row.0, row.1, unseen.join("\t")));
        } else {
            train.push_str(&line);
        }
    }
    std::fs::write(dir.path().join("ml100k.train.rating"), train).unwrap();
    std::fs::write(dir.path().join("ml100k.test.rating"), test).unwrap();
    std::fs::write(dir.path().join("ml100k.test.negative"), negatives).unwrap();

    let db = TestDb::sqlite();
    let path = dir.path().to_str().unwrap();
    let report = eval(
        &db,
        &[
            "eval",
            "--data",
            path,
            "--protocol",
            "loo",
            "--algo",
            "popularity",
            "--json",
        ],
    );
    assert_eq!(report["protocol"], "loo");
    let hr = report["metrics"]["hr@10"].as_f64().unwrap();
    // Ranked among 21 items, a random order would hit 10/21 of the time; against obscure
    // negatives popularity must do far better.
    assert!(hr > 0.8 && hr <= 1.0, "hr@10 {hr}");

    let out = db.orrery(&[
        "eval",
        "--data",
        path,
        "--protocol",
        "holdout",
        "--algo",
        "mf",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--protocol loo"));
}

#[test]
fn invalid_hyperparameters_are_named() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    let data = shared_data().join("ml-100k/u1.test");
    let out = db.orrery(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--algo",
        "mf",
        "--param",
        "factors=0",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("factors"), "{stderr}");
    let out = db.orrery(&["eval", "--data", data.to_str().unwrap(), "--algo", "nosuch"]);
    assert!(!out.status.success());
}

#[test]
fn the_database_is_evaluated_when_no_file_is_given() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    db.ok(&[
        "import",
        shared_data().join("ml-100k/u1.base").to_str().unwrap(),
    ]);
    let report = eval(
        &db,
        &[
            "eval",
            "--algo",
            "baseline",
            "--protocol",
            "kfold",
            "--folds",
            "2",
            "--json",
        ],
    );
    assert_eq!(report["protocol"], "kfold");
    assert_eq!(report["folds"], 2);
    assert!(report["metrics"]["rmse"].as_f64().unwrap() < 1.1);
}
