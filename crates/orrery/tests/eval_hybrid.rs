//! `orrery eval --algo hybrid` end to end on real data: the items' text is embedded, the
//! report holds collaborative-only, content-only, hybrid and popularity figures from one
//! split, and on users who keep five interactions the hybrid ranks better than
//! popularity.

mod common;

use common::{TestDb, shared_data};

#[test]
fn hybrid_reports_its_parts_and_beats_popularity_on_sparse_users() {
    if common::without_data() {
        return;
    }
    let data = shared_data().join("ml-100k");
    let db = TestDb::sqlite();
    let report: serde_json::Value = serde_json::from_str(&db.ok(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--algo",
        "hybrid",
        "--protocol",
        "coldstart",
        "--test-ratio",
        "0.3",
        "--json",
    ]))
    .unwrap();
    assert_eq!(report["algo"], "hybrid");
    assert_eq!(report["protocol"], "coldstart");
    let encoder = report["encoder"].as_str().unwrap();
    assert!(
        encoder.contains("all-MiniLM-L6-v2") || encoder.contains("feature-hashing"),
        "{encoder}"
    );
    let ndcg = |variant: &str| {
        report["variants"][variant]["ndcg@10"]
            .as_f64()
            .unwrap_or_else(|| panic!("{variant} in {report}"))
    };
    let (hybrid, popularity) = (ndcg("hybrid"), ndcg("popularity"));
    assert!(ndcg("content") > 0.0 && ndcg("collaborative") > 0.0);
    assert_eq!(report["metrics"]["ndcg@10"].as_f64().unwrap(), hybrid);
    assert!(
        hybrid > popularity,
        "hybrid {hybrid} vs popularity {popularity}"
    );
}

#[test]
fn content_needs_item_text() {
    if common::without_data() {
        return;
    }
    let db = TestDb::sqlite();
    let ratings = shared_data().join("ml-100k").join("u1.base");
    let out = db.orrery(&[
        "eval",
        "--data",
        ratings.to_str().unwrap(),
        "--algo",
        "content",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no item has a title"), "{err}");
}

#[test]
fn the_cli_trains_content_and_hybrid_models() {
    if common::without_data() {
        return;
    }
    for db in TestDb::all() {
        let data = shared_data().join("ml-100k");
        db.ok(&["import", data.to_str().unwrap()]);
        let train = |algo: &str| -> serde_json::Value {
            serde_json::from_str(&db.ok(&["train", "--json", "--algo", algo])).unwrap()
        };
        let first = train("hybrid");
        assert_eq!(first["algorithm"], "hybrid", "{first}");
        assert_eq!(first["params"]["cf"], "als", "{first}");
        let ndcg = first["metrics"]["ndcg@10"].as_f64().unwrap();
        assert!(ndcg > 0.05, "validation NDCG@10 {ndcg}");
        // The second run reads the vectors the first one stored.
        let second = train("content");
        assert_eq!(second["algorithm"], "content", "{second}");
        assert!(second["metrics"]["ndcg@10"].as_f64().is_some(), "{second}");
    }
}
