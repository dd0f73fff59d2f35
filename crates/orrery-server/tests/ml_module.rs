//! The ML Module flow on MovieLens 100K, under /api/ml: train, recommendations, predict,
//! explain, metrics, models, activate, delete; then pruning of old versions.

mod common;

use common::{TestServer, assert_problem, config, databases, import_ml100k};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn train_recommend_predict_explain_and_manage_versions() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let mut cfg = config();
        cfg.keep_versions = 2;
        let server = TestServer::start(cfg, db).await;
        let name = server.backend.clone();

        // Train, exactly as the seed's README configures it.
        let (status, accepted) = server
            .post(
                "/api/ml/train",
                json!({"model_type": "matrix_factorization",
                       "hyperparams": {"n_factors": 50, "learning_rate": 0.01, "regularization": 0.02, "epochs": 20}}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {accepted}");
        assert_eq!(accepted["params"]["factors"], "50");
        // One training at a time.
        let (status, busy) = server
            .post("/training/train", json!({"algorithm": "popularity"}))
            .await;
        assert_problem(status, &busy, 409, None);
        let (status, progress) = server.get("/api/ml/training-status").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            progress["running"] == true || progress["last"].is_object(),
            "{progress}"
        );
        let v1_run = server.wait_for_training().await;
        assert_eq!(v1_run["status"], "succeeded", "{v1_run}");
        let v1 = v1_run["version"].as_i64().expect("version");
        let rmse = v1_run["metrics"]["rmse"].as_f64().expect("rmse");
        assert!((0.85..1.05).contains(&rmse), "holdout RMSE {rmse}");
        for metric in ["mae", "precision@10", "recall@10", "ndcg@10", "coverage@10"] {
            assert!(v1_run["metrics"][metric].is_number(), "{metric}: {v1_run}");
        }

        // Recommendations for a warm user, without what they rated.
        let (status, recs) = server.get("/api/ml/recommendations/1?n=10").await;
        assert_eq!(status, StatusCode::OK, "{recs}");
        assert_eq!(recs["model_version"], v1);
        let list = recs["recommendations"].as_array().expect("list");
        assert_eq!(list.len(), 10);
        let rated_by_1 = server.get("/users/1").await.1["history"].clone();
        for r in list {
            assert!(
                !rated_by_1
                    .as_array()
                    .expect("history")
                    .contains(&r["movie_id"]),
                "{r}"
            );
        }
        let top = list[0]["movie_id"].as_str().expect("id").to_owned();

        // Predict.
        let (status, p) = server
            .post("/api/ml/predict", json!({"user_id": 1, "movie_id": 50}))
            .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        let rating = p["predicted_rating"].as_f64().expect("rating");
        assert!((1.0..=5.0).contains(&rating), "{p}");
        // The rating is the raw score clipped to the scale, whichever side it leaves.
        let score = p["score"].as_f64().expect("score");
        assert!((rating - score.clamp(1.0, 5.0)).abs() < 1e-6, "{p}");
        assert_eq!(p["movie_id"], "50");
        assert_eq!(p["known_user"], true);

        // Explain: numbers that add up.
        let (status, e) = server.get(&format!("/api/ml/explain/1/{top}")).await;
        assert_eq!(status, StatusCode::OK, "{e}");
        assert_eq!(e["contribution_kind"], "additive");
        let up = e["pulled_up_by"].as_array().expect("pulled_up_by");
        assert!(!up.is_empty(), "{e}");
        assert!(
            up.iter()
                .all(|i| i["contribution"].as_f64().unwrap_or(0.0) > 0.0 && i["title"].is_string())
        );
        assert!(
            !e["similar_users"].as_array().expect("similar").is_empty(),
            "{e}"
        );
        assert!(e["summary"].as_str().is_some_and(|s| !s.is_empty()));

        // Metrics.
        let (status, m) = server.get("/api/ml/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (m["model_version"].as_i64(), m["interactions"].as_u64()),
            (Some(v1), Some(100_000)),
            "{m}"
        );
        assert_eq!(m["metrics"]["rmse"].as_f64(), Some(rmse));

        // Retrain with the defaults (activates): the ranking model that validates best,
        // and a rating model beside it that replaces v1, which keep=2 then prunes.
        let (status, body) = server.post("/api/ml/retrain", json!(null)).await;
        assert_problem(status, &body, 422, None);
        let resp = server
            .request(reqwest::Method::POST, "/api/ml/retrain")
            .send()
            .await
            .expect("retrain");
        assert_eq!(
            resp.status(),
            StatusCode::ACCEPTED,
            "an empty body retrains with the defaults"
        );
        let v2_run = server.wait_for_training().await;
        let v2 = v2_run["version"].as_i64().expect("version");
        assert_eq!(v2_run["activated"], true);
        let v3 = v2_run["rating_model"]["version"].as_i64().expect("rating");
        assert_eq!(v2_run["rating_model"]["activated"], true, "{v2_run}");
        assert_eq!(v2_run["pruned"], json!([v1]), "{v2_run}");
        let (_, models) = server.get("/api/ml/models").await;
        assert_eq!(models["active_version"], v2, "{models}");
        assert_eq!(models["rating_version"], v3, "{models}");
        assert_eq!(models["models"].as_array().map(Vec::len), Some(2));
        let (_, p) = server
            .post("/api/ml/predict", json!({"user_id": 1, "movie_id": 50}))
            .await;
        assert_eq!(p["model_version"], v3, "{p}");

        // A ranking version stored inactive, then activated: lists move, ratings stay.
        let v4_run = server
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 3}, "activate": false}))
            .await;
        let v4 = v4_run["version"].as_i64().expect("v4");
        assert_eq!(v4_run["activated"], false);
        assert_eq!(
            v4_run["pruned"],
            json!([]),
            "{v4_run}: v2 and v3 are active"
        );
        let (status, _) = server
            .post(&format!("/api/ml/models/activate/{v4}"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, health) = server.get("/health").await;
        assert_eq!(health["active_model"]["version"], v4, "{health}");
        assert_eq!(health["rating_model"]["version"], v3, "{health}");
        let (status, body) = server.delete(&format!("/api/ml/models/{v3}")).await;
        assert_problem(status, &body, 409, None);

        // Similar items come from the model's factors.
        let (status, similar) = server.get("/items/50/similar?n=5").await;
        assert_eq!(status, StatusCode::OK, "{similar}");
        assert_eq!(similar["method"], "collaborative");
        let ids: Vec<&str> = similar["similar"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|s| s["item_id"].as_str())
            .collect();
        assert_eq!(ids.len(), 5);
        assert!(!ids.contains(&"50"));

        // The replaced ranking version may go.
        let (status, _) = server.delete(&format!("/api/ml/models/{v2}")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = server.delete(&format!("/api/ml/models/{v2}")).await;
        assert_problem(status, &body, 404, None);

        // The history keeps every version trained.
        let (status, history) = server.get("/api/ml/metrics/history").await;
        assert_eq!(status, StatusCode::OK);
        let versions: Vec<i64> = history["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|h| h["version"].as_i64())
            .collect();
        assert_eq!(versions, [v1, v2, v3, v4], "{history}");
        server.finish().await;
    }
}

#[tokio::test]
async fn a_running_training_can_be_cancelled_and_stores_nothing() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();

        let (status, refused) = server.post("/training/cancel", json!(null)).await;
        assert_problem(status, &refused, 409, None);

        let (status, accepted) = server
            .post(
                "/training/train",
                json!({"algorithm": "mf", "params": {"epochs": "10000"}}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {accepted}");
        // Into the fit: an epoch has been reported.
        let started = std::time::Instant::now();
        loop {
            let (_, status) = server.get("/training/status").await;
            if status["current"]["epoch"].as_u64().is_some_and(|e| e >= 1) {
                break;
            }
            assert!(started.elapsed().as_secs() < 120, "{name}: {status}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (status, progress) = server.post("/training/cancel", json!(null)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {progress}");
        assert_eq!(progress["run_id"], accepted["run_id"]);
        assert_eq!(progress["cancel_requested"], true);

        let last = server.wait_for_training().await;
        assert_eq!(last["status"], "cancelled", "{name}: {last}");
        assert_eq!(last["version"], serde_json::Value::Null);
        assert_eq!(last["error"], "cancelled by POST /training/cancel");
        let (_, runs) = server.get("/training/runs").await;
        assert_eq!(runs["runs"][0]["status"], "cancelled", "{name}: {runs}");
        let (_, models) = server.get("/models").await;
        assert_eq!(models["models"], json!([]), "{name}: nothing half-written");

        // The next training runs as usual.
        let run = server.train(json!({"algorithm": "popularity"})).await;
        assert_eq!(run["version"], 1, "{name}: {run}");

        // A server started later (a restart) reports the stored last run, not nothing.
        let later = TestServer::start_beside(config(), server.store().expect("store")).await;
        let (status, fresh) = later.get("/training/status").await;
        assert_eq!(status, StatusCode::OK, "{name}: {fresh}");
        assert_eq!(fresh["running"], false, "{name}: {fresh}");
        assert_eq!(fresh["last"]["run_id"], run["run_id"], "{name}: {fresh}");
        assert_eq!(fresh["last"]["status"], "succeeded", "{name}: {fresh}");
        assert_eq!(fresh["last"]["version"], 1, "{name}: {fresh}");
        assert_eq!(fresh["last"]["algorithm"], "popularity", "{name}: {fresh}");
        later.finish().await;
        server.finish().await;
    }
}

/// Training with nothing named stores a ranking model and, since MovieLens holds ratings,
/// a rating model beside it; both are active: lists come from the first, predicted
/// ratings from the second, and activating another version replaces only its own kind.
#[tokio::test]
async fn a_ranking_and_a_rating_model_serve_side_by_side() {
    if common::without_data() {
        return;
    }
    let db = common::sqlite().await;
    import_ml100k(&db.store).await;
    let server = TestServer::start(config(), db).await;
    let run = server.train(json!({})).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let ranking = run["version"].as_i64().expect("ranking version");
    let ranking_algorithm = run["algorithm"].as_str().expect("algorithm").to_owned();
    assert!(
        ["als", "ease", "itemknn"].contains(&ranking_algorithm.as_str()),
        "{run}"
    );
    let rating = &run["rating_model"];
    assert_eq!(rating["algorithm"], "mf", "{run}");
    assert_eq!(rating["activated"], true, "{run}");
    let rating_version = rating["version"].as_i64().expect("rating version");
    let rmse = rating["metrics"]["rmse"].as_f64().expect("rmse");
    assert!((0.85..1.05).contains(&rmse), "{run}");

    let (_, health) = server.get("/health").await;
    assert_eq!(health["active_model"]["version"], ranking, "{health}");
    assert_eq!(
        health["rating_model"]["version"], rating_version,
        "{health}"
    );
    let (_, models) = server.get("/models").await;
    assert_eq!(models["active_version"], ranking, "{models}");
    assert_eq!(models["rating_version"], rating_version, "{models}");
    let purposes: Vec<(i64, &str, bool)> = models["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            let purpose = m["purpose"].as_str().expect("purpose");
            (m["version"].as_i64().unwrap(), purpose, m["active"] == true)
        })
        .collect();
    assert_eq!(
        purposes,
        [(rating_version, "rating", true), (ranking, "ranking", true)]
    );

    // Lists from the ranking model, ratings from the rating model.
    let (status, list) = server.get("/recommendations/1?n=10").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let explanation = list["explanation"].as_str().expect("explanation");
    assert!(explanation.contains(&ranking_algorithm), "{list}");
    let (status, p) = server
        .post("/predict", json!({"user_id": "1", "item_id": "50"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(
        (p["algorithm"].as_str(), p["model_version"].as_i64()),
        (Some("mf"), Some(rating_version)),
        "{p}"
    );
    assert!(p["predicted_rating"].as_f64().is_some(), "{p}");
    let (_, metrics) = server.get("/metrics").await;
    assert_eq!(metrics["model_version"], ranking, "{metrics}");
    assert_eq!(metrics["rating_model"]["version"], rating_version);
    assert!(metrics["rating_model"]["metrics"]["rmse"].is_number());

    // Another ranking version replaces the ranking one only; the rating model stays.
    let als = server
        .train(json!({"algorithm": "als", "hyperparameters": {"factors": 16, "iterations": 3}, "activate": true}))
        .await;
    let als_version = als["version"].as_i64().expect("als version");
    assert!(als["rating_model"].is_null(), "{als}");
    let (_, health) = server.get("/health").await;
    assert_eq!(health["active_model"]["version"], als_version, "{health}");
    assert_eq!(
        health["rating_model"]["version"], rating_version,
        "{health}"
    );
    let (status, body) = server.delete(&format!("/models/{rating_version}")).await;
    assert_problem(status, &body, 409, None);
    let (status, _) = server.delete(&format!("/models/{ranking}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the replaced ranking version may go"
    );
    server.finish().await;
}
