//! What `orrery eval` measures is what users get: a model trained and served over HTTP
//! gives each user the very list that the evaluation's flow ([`OfflineFlow`]) makes for
//! them from the same snapshot, model and item vectors.

mod common;

use std::time::{Duration, Instant};

use common::{TestServer, config, import_ml100k, sqlite};
use orrery_core::EventWeights;
use orrery_engine::flow::FlowSettings;
use orrery_engine::offline::OfflineFlow;
use orrery_engine::tune::POPULARITY_PRIOR_PARAM;
use orrery_eval::Ranker;
use orrery_models::Recommender;
use orrery_models::blend::Blend;
use orrery_train::Bundle;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Waits until the server has embedded every item, and returns the encoder's name.
async fn embedded(server: &TestServer) -> String {
    let started = Instant::now();
    loop {
        let (status, health) = server.get("/health").await;
        assert_eq!(status, StatusCode::OK, "{health}");
        let encoder = &health["text_encoder"];
        if encoder["items_pending"] == 0 && encoder["items_embedded"].as_u64() > Some(0) {
            return encoder["name"].as_str().unwrap().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "items not embedded: {health}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_lists_are_the_lists_evaluation_measures() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let store = db.store.clone();
    let server = TestServer::start(config(), db).await;
    let encoder = embedded(&server).await;
    let weights = EventWeights::default();
    let users = ["1", "42", "405", "655", "900"];
    let trainings: [(&str, Value); 4] = [
        ("als", json!({"algorithm": "als", "activate": true})),
        ("ease", json!({"algorithm": "ease", "activate": true})),
        ("hybrid", json!({"algorithm": "hybrid", "activate": true})),
        (
            "neumf",
            json!({"algorithm": "neumf", "activate": true, "params": {"epochs": "1", "factors": "8"}}),
        ),
    ];
    for (algorithm, body) in trainings {
        let trained = server.train(body).await;
        assert_eq!(trained["algorithm"], algorithm, "{trained}");

        // The evaluation's side: the same snapshot, the stored model, the stored vectors.
        let dataset = store.load_dataset(&weights).await.unwrap();
        let version = trained["version"].as_i64().expect("version");
        let active = store.model_version(version).await.unwrap().unwrap();
        assert!(active.active, "{trained}");
        let blob = store.model_blob(active.version).await.unwrap().unwrap();
        let model = Bundle::decode(&blob).unwrap().model;
        let vectors = store
            .item_embeddings(&encoder)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.item, e.vector))
            .collect();
        // The popularity prior the training chose on its validation split, stored with
        // the version and served with it.
        let prior: f32 = active.params[POPULARITY_PRIOR_PARAM].parse().unwrap();
        let settings = FlowSettings {
            popularity_prior: Some(prior),
            ..FlowSettings::default()
        };
        let flow = OfflineFlow::new(
            &dataset,
            model,
            vectors,
            settings,
            Blend::default().cold_start_threshold,
        );
        for user in users {
            let (status, served) = server.get(&format!("/recommendations/{user}?n=10")).await;
            assert_eq!(status, StatusCode::OK, "{served}");
            let served: Vec<String> = served["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["item_id"].as_str().unwrap().to_owned())
                .collect();
            let u = dataset.users().get(user).unwrap();
            let repr = flow.model().user(u).unwrap();
            let measured: Vec<String> = flow
                .top_k(u, &repr, dataset.user_row(u).indices, 10)
                .unwrap()
                .into_iter()
                .map(|i| dataset.items().external(i).unwrap().to_owned())
                .collect();
            assert_eq!(served, measured, "{algorithm}, user {user}");
        }
    }
    server.finish().await;
}
