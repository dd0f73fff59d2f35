//! The Dummi AI curl sequence of the seed's README, as written: create users and content,
//! feedback, train, recommend; then the rest of its API (interact, update, by category).

mod common;

use common::{TestServer, config, databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn create_content(server: &TestServer, id: &str, title: &str, category: &str, tags: &[&str]) {
    let (status, body) = server
        .post(
            "/content/",
            json!({"content_id": id, "title": title, "category": category, "tags": tags}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["content_id"], id);
    assert_eq!(body["category"], category);
}

fn ids(recs: &Value) -> Vec<String> {
    recs["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .map(|r| r["content_id"].as_str().expect("content_id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_readme_sequence_works_as_written() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();

        // 1. Users and content.
        let (status, alice) = server
            .post(
                "/users/",
                json!({"user_id": "alice", "interests": ["machine-learning", "python"], "skill_level": "intermediate"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {alice}");
        assert_eq!(alice["user_id"], "alice");
        assert_eq!(alice["interests"], json!(["machine-learning", "python"]));
        let (status, _) = server
            .post(
                "/users/",
                json!({"user_id": "bob", "interests": ["python", "web-development"], "skill_level": "beginner"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}");
        let (status, dup) = server.post("/users/", json!({"user_id": "bob"})).await;
        common::assert_problem(status, &dup, 409, None);

        create_content(
            &server,
            "tut1",
            "ML for Beginners",
            "machine-learning",
            &["tutorial", "beginner", "python"],
        )
        .await;
        create_content(
            &server,
            "tut2",
            "Web Dev with FastAPI",
            "web-development",
            &["tutorial", "python", "fastapi"],
        )
        .await;
        create_content(
            &server,
            "tut3",
            "Deep Learning in Practice",
            "machine-learning",
            &["advanced", "python"],
        )
        .await;
        create_content(
            &server,
            "tut4",
            "CSS Layouts",
            "web-development",
            &["css", "beginner"],
        )
        .await;
        create_content(
            &server,
            "tut5",
            "Statistics Refresher",
            "data-science",
            &["math"],
        )
        .await;

        // 2. Feedback.
        for (user, item) in [("alice", "tut1"), ("bob", "tut2")] {
            let (status, body) = server
                .post(
                    "/recommendations/feedback",
                    json!({"user_id": user, "content_id": item, "feedback_type": "positive"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
            assert_eq!(body["interaction"]["kind"], "like", "{body}");
        }

        // Before any training, a new user already gets interest-based recommendations.
        let (status, early) = server
            .post(
                "/recommendations/",
                json!({"user_id": "alice", "n_recommendations": 5}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {early}");
        assert_eq!(early["method"], "cold_start", "{early}");
        let early_ids = ids(&early);
        assert!(
            !early_ids.contains(&"tut1".to_owned()),
            "seen items are filtered: {early}"
        );
        assert_eq!(
            early_ids[0], "tut3",
            "the other ML item comes first for alice: {early}"
        );

        // 3. Train.
        let (status, accepted) = server
            .post(
                "/training/train",
                json!({"retrain_cf": true, "regenerate_embeddings": true}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {accepted}");
        assert_eq!(
            accepted["algorithm"], "auto",
            "no algorithm named: the best ranking model is chosen: {accepted}"
        );
        let last = server.wait_for_training().await;
        assert_eq!(last["status"], "succeeded", "{name}: {last}");
        assert!(
            ["als", "ease", "itemknn"].contains(&last["algorithm"].as_str().unwrap_or("")),
            "a ranking model: {last}"
        );
        assert_eq!(
            last["activated"], true,
            "the first version is activated: {last}"
        );

        // 4. Recommend.
        let (status, recs) = server
            .post(
                "/recommendations/",
                json!({"user_id": "alice", "n_recommendations": 5}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {recs}");
        assert_eq!(recs["user_id"], "alice");
        let list = recs["recommendations"].as_array().expect("list");
        assert_eq!(list.len(), 4, "every unseen item: {recs}");
        for r in list {
            for field in ["content_id", "title", "category", "score", "method"] {
                assert!(!r[field].is_null(), "{field} missing: {r}");
            }
        }
        assert!(!ids(&recs).contains(&"tut1".to_owned()), "{recs}");
        // Each item's explanation names only material reasons: a resemblance only with
        // its similarity, and only from 0.3 on.
        for r in list {
            let explanation = r["explanation"].as_str().expect("an explanation");
            match r["because"]["similarity"].as_f64() {
                Some(similarity) => assert!(similarity >= 0.3, "{r}"),
                None => assert!(!explanation.contains("resembles"), "{r}"),
            }
            if r["content_score"].is_null() {
                assert!(!explanation.contains("content matches"), "{r}");
            }
        }
        // Similar items by content say the similarity that ranked them.
        let (status, similar) = server.get("/items/tut1/similar?method=content").await;
        assert_eq!(status, StatusCode::OK, "{name}: {similar}");
        for r in similar["similar"].as_array().expect("similar") {
            let score = r["content_score"].as_f64().expect("the similarity");
            assert_eq!(r["score"].as_f64(), Some(score), "{r}");
            let said = format!("{score:.2}");
            assert!(
                r["explanation"].as_str().is_some_and(|e| e.contains(&said)),
                "{r}"
            );
        }
        assert!(
            recs["explanation"].as_str().is_some_and(|e| !e.is_empty()),
            "{recs}"
        );
        assert!(recs["timestamp"].is_string(), "{recs}");

        // The rest of the API.
        let (status, interact) = server
            .post(
                "/recommendations/interact",
                json!({"user_id": "bob", "content_id": "tut4", "interaction_type": "view_time", "duration_seconds": 120}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {interact}");
        assert_eq!(interact["interaction"]["value"], 120.0);
        let (status, bob) = server.get("/users/bob").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bob["history"], json!(["tut2", "tut4"]), "{bob}");
        // The documented example: a click that says how long the user stayed keeps it.
        let (status, click) = server
            .post(
                "/recommendations/interact",
                json!({"user_id": "bob", "content_id": "tut3", "interaction_type": "click", "duration_seconds": 120}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {click}");
        assert_eq!(click["interaction"]["kind"], "click", "{click}");
        assert_eq!(click["interaction"]["value"], 120.0, "{click}");
        let (_, stored) = server.get("/users/bob/interactions").await;
        let clicks: Vec<&Value> = stored["interactions"]
            .as_array()
            .expect("interactions")
            .iter()
            .filter(|i| i["item_id"] == "tut3" && i["kind"] == "click")
            .collect();
        assert_eq!(clicks.len(), 1, "{stored}");
        assert_eq!(clicks[0]["value"], 120.0, "{stored}");
        let (status, problem) = server
            .post(
                "/recommendations/interact",
                json!({"user_id": "bob", "content_id": "tut3", "interaction_type": "click", "duration_seconds": -5}),
            )
            .await;
        common::assert_problem(status, &problem, 422, Some("duration_seconds"));
        let (status, updated) = server
            .put(
                "/users/alice",
                json!({"interests": ["machine-learning", "python", "data-science"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["interests"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            updated["skill_level"], "intermediate",
            "unsent fields are kept: {updated}"
        );
        let (status, by_category) = server.get("/content/category/machine-learning").await;
        assert_eq!(status, StatusCode::OK);
        let mut found: Vec<&str> = by_category
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|c| c["content_id"].as_str())
            .collect();
        found.sort();
        assert_eq!(found, ["tut1", "tut3"], "{by_category}");
        let (status, content) = server.get("/content/tut2").await;
        assert_eq!(
            (status, content["title"].as_str()),
            (StatusCode::OK, Some("Web Dev with FastAPI"))
        );
        let (status, status_body) = server.get("/training/status").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(status_body["running"], false);
        server.finish().await;
    }
}
