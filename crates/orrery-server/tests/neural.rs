//! The two-tower NCF served on MovieLens 100K: trained through `POST /training/train`, it
//! re-ranks the hybrid's candidates for stored users, and answers a newcomer's cold start
//! from demographics and stated genres alone through its user tower.

mod common;

use std::collections::HashSet;

use common::{TestServer, config, databases, import_ml100k, shared_data};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The movies `user` rated in ML-100K's `u.data`.
fn rated_by(user: &str) -> HashSet<String> {
    let path = shared_data().join("ml-100k/u.data");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            (fields.next() == Some(user)).then(|| fields.next().map(str::to_owned))?
        })
        .collect()
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|m| m[field].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test]
async fn ncf_reranks_candidates_and_answers_the_cold_start_from_the_profile() {
    if common::without_data() {
        return;
    }
    for db in databases().await {
        import_ml100k(&db.store).await;
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();

        let last = server
            .train(json!({"algorithm": "ncf",
                          "hyperparameters": {"epochs": 1, "batch_size": 1024, "tower": 32,
                                              "validation_users": 100}}))
            .await;
        assert_eq!(last["status"], "succeeded", "{name}: {last}");
        assert_eq!(last["activated"], true, "{name}: {last}");

        // Stored users: ten unseen items each, ranked by the network, and personal.
        let mut lists = Vec::new();
        for user in ["1", "2", "13"] {
            let (status, recs) = server.get(&format!("/recommendations/{user}?n=10")).await;
            assert_eq!(status, StatusCode::OK, "{name}: {recs}");
            let items = ids(&recs["recommendations"], "item_id");
            assert_eq!(items.len(), 10, "{name}: {recs}");
            assert_ne!(recs["method"], "popularity", "{name}: {recs}");
            let seen = rated_by(user);
            assert!(!seen.is_empty());
            assert!(
                items.iter().all(|i| !seen.contains(i)),
                "{name}: user {user} was recommended an item they rated: {recs}"
            );
            lists.push(items);
        }
        assert!(
            lists[0] != lists[1] || lists[1] != lists[2],
            "{name}: three users got the same list: {lists:?}"
        );

        // A newcomer with no ratings: the user tower answers from the profile, so the
        // network's signal is used and different people get different lists.
        let ask = |gender: &str, occupation: &str, genre: &str| {
            json!({"gender": gender, "age": 25, "occupation": occupation,
                   "genres": [genre], "num_recommendations": 10})
        };
        let (status, her) = server
            .post("/recommendations/cold-start", ask("F", "writer", "Romance"))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {her}");
        assert_ne!(her["method"], "popularity", "{name}: {her}");
        assert_ne!(her["method"], "cold_start", "{name}: {her}");
        let (status, him) = server
            .post(
                "/recommendations/cold-start",
                ask("M", "technician", "Sci-Fi"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {him}");
        let (her, him) = (
            ids(&her["recommendations"], "movie_id"),
            ids(&him["recommendations"], "movie_id"),
        );
        assert_eq!((her.len(), him.len()), (10, 10));
        assert_ne!(her, him, "{name}: the profile changed nothing");

        // A free-text interest is heard by both routes alike: the same profile, asked for
        // through the cold-start route or stored and then asked for, gets the same list,
        // and with a semantic encoder the zombie film is near its top.
        let encoder = server.wait_for_embeddings(1682).await;
        let (status, asked) = server
            .post(
                "/recommendations/cold-start",
                json!({"interests": ["zombies"], "num_recommendations": 10}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {asked}");
        let (status, user) = server
            .post(
                "/users/",
                json!({"user_id": "zed", "interests": ["zombies"]}),
            )
            .await;
        assert!(status.is_success(), "{name}: {user}");
        let (status, stored) = server
            .post("/recommendations/", json!({"user_id": "zed", "top_k": 10}))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {stored}");
        let (asked, stored) = (
            ids(&asked["recommendations"], "movie_id"),
            ids(&stored["recommendations"], "movie_id"),
        );
        assert_eq!(asked, stored, "{name}: two routes, one profile, two lists");
        if encoder["fallback"] == false {
            // Night of the Living Dead (1968).
            assert!(asked[..5].contains(&"616".to_owned()), "{name}: {asked:?}");
        }
        server.finish().await;
    }
}
