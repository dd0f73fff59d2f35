//! The hybrid recommender over HTTP, on a real server: item embeddings computed in the
//! background, stored and not recomputed at restart; the health response naming the text
//! encoder; and the Dummi AI seed's success criteria (lists differ between users, similar
//! histories overlap, positive feedback lifts similar items, a cold-start user gets items
//! of their interests, a new item reaches a matching user, blending weights move the
//! ranking as documented).

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{TestServer, config, databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Four topics of six items, each item described the way Dummi AI content is.
const CATALOG: [(&str, &str, &[&str], &str); 24] = [
    (
        "ml1",
        "Neural Networks from Scratch",
        &["python", "deep-learning"],
        "Build a neural network with backpropagation.",
    ),
    (
        "ml2",
        "Gradient Boosting Explained",
        &["python", "trees"],
        "How boosted decision trees learn from their errors.",
    ),
    (
        "ml3",
        "Transformers for Language Models",
        &["nlp", "deep-learning"],
        "Attention, embeddings and training large language models.",
    ),
    (
        "ml4",
        "Reinforcement Learning Basics",
        &["python", "agents"],
        "Rewards, policies and Q-learning for agents.",
    ),
    (
        "ml5",
        "Clustering with k-means",
        &["python", "unsupervised"],
        "Group data points without labels.",
    ),
    (
        "ml6",
        "Convolutional Networks for Images",
        &["deep-learning", "vision"],
        "Image classification with CNNs.",
    ),
    (
        "ck1",
        "Sourdough Bread at Home",
        &["baking", "bread"],
        "Feed a starter and bake a crusty loaf.",
    ),
    (
        "ck2",
        "Perfect Pasta Carbonara",
        &["pasta", "italian"],
        "Eggs, pecorino and guanciale, no cream.",
    ),
    (
        "ck3",
        "Thai Green Curry",
        &["curry", "thai"],
        "A fragrant curry with coconut milk and basil.",
    ),
    (
        "ck4",
        "French Omelette Technique",
        &["eggs", "french"],
        "A soft rolled omelette in two minutes.",
    ),
    (
        "ck5",
        "Slow-Cooked Beef Stew",
        &["stew", "beef"],
        "A hearty stew simmered for hours.",
    ),
    (
        "ck6",
        "Chocolate Chip Cookies",
        &["baking", "dessert"],
        "Chewy cookies with brown butter.",
    ),
    (
        "as1",
        "Observing Jupiter's Moons",
        &["planets", "telescope"],
        "Watch the Galilean moons orbit Jupiter.",
    ),
    (
        "as2",
        "A Beginner's Telescope Guide",
        &["telescope", "stargazing"],
        "Choose and set up your first telescope.",
    ),
    (
        "as3",
        "Life Cycle of Stars",
        &["stars", "physics"],
        "From nebula to white dwarf, neutron star or black hole.",
    ),
    (
        "as4",
        "Black Holes Explained",
        &["black-holes", "physics"],
        "Event horizons, spaghettification and Hawking radiation.",
    ),
    (
        "as5",
        "Photographing the Milky Way",
        &["astrophotography", "stargazing"],
        "Long exposures of the night sky.",
    ),
    (
        "as6",
        "Mars Rover Missions",
        &["planets", "space-exploration"],
        "What the rovers found on the red planet.",
    ),
    (
        "wd1",
        "CSS Grid Layouts",
        &["css", "frontend"],
        "Two-dimensional page layouts with CSS grid.",
    ),
    (
        "wd2",
        "REST APIs with FastAPI",
        &["python", "backend"],
        "Build and document a web API.",
    ),
    (
        "wd3",
        "React Hooks in Depth",
        &["javascript", "frontend"],
        "State and effects in React components.",
    ),
    (
        "wd4",
        "Web Accessibility Basics",
        &["html", "frontend"],
        "Make web pages usable by everyone.",
    ),
    (
        "wd5",
        "JavaScript Promises",
        &["javascript", "async"],
        "Asynchronous code with promises and async/await.",
    ),
    (
        "wd6",
        "Deploying with Docker",
        &["docker", "backend"],
        "Ship a web application in a container.",
    ),
];

fn topic(id: &str) -> &'static str {
    match &id[..2] {
        "ml" => "machine-learning",
        "ck" => "cooking",
        "as" => "astronomy",
        "wd" => "web-development",
        _ => "new",
    }
}

async fn create_catalog(server: &TestServer) {
    for (id, title, tags, description) in CATALOG {
        let (status, body) = server
            .post(
                "/content/",
                json!({"content_id": id, "title": title, "category": topic(id),
                       "tags": tags, "description": description}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// Waits until the health response reports `items` embedded and none pending.
fn ids(list: &Value) -> Vec<String> {
    list["recommendations"]
        .as_array()
        .unwrap_or_else(|| panic!("no recommendations: {list}"))
        .iter()
        .map(|r| r["content_id"].as_str().expect("content_id").to_owned())
        .collect()
}

async fn recommend(server: &TestServer, body: Value) -> Value {
    let (status, list) = server.post("/recommendations/", body).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list
}

/// The (id, score) pairs of a list of objects, in order.
fn scored<'a>(list: &'a Value, id: &str, score: &str) -> Vec<(&'a str, f64)> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|entry| {
            let name = entry[id]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: {entry}"));
            (
                name,
                entry[score]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{score}: {entry}")),
            )
        })
        .collect()
}

fn overlap(a: &[String], b: &[String]) -> usize {
    a.iter().filter(|x| b.contains(x)).count()
}

#[tokio::test]
async fn embeddings_are_stored_once_and_follow_item_changes() {
    for db in databases().await {
        let store = db.store.clone();
        let first = TestServer::start_beside(config(), store.clone()).await;
        let name = first.backend.clone();
        create_catalog(&first).await;
        let encoder = first.wait_for_embeddings(24).await;
        let model = encoder["name"].as_str().expect("encoder name").to_owned();
        assert!(
            encoder["description"]
                .as_str()
                .is_some_and(|d| d.contains(&model)),
            "{encoder}"
        );
        assert_eq!(
            encoder["fallback"],
            model != "all-MiniLM-L6-v2",
            "{encoder}"
        );
        if std::env::var("ORRERY_REQUIRE_EMBED_MODEL").is_ok_and(|v| v == "1") {
            assert_eq!(model, "all-MiniLM-L6-v2", "{name}: {encoder}");
        }
        let stored = store.item_embeddings(&model).await.expect("stored vectors");
        assert_eq!(stored.len(), 24, "{name}");
        assert!(stored.iter().all(|e| e.vector.len() == 384), "{name}");
        let written: HashMap<String, (u64, i64)> = stored
            .iter()
            .map(|e| (e.item.clone(), (e.text_hash, e.updated_at)))
            .collect();
        first.finish().await;

        // A restart finds every vector still valid and computes none.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let server = TestServer::start(config(), db).await;
        server.wait_for_embeddings(24).await;
        let again: HashMap<String, (u64, i64)> = store
            .item_embeddings(&model)
            .await
            .expect("stored vectors")
            .into_iter()
            .map(|e| (e.item, (e.text_hash, e.updated_at)))
            .collect();
        assert_eq!(again, written, "{name}: nothing was embedded again");

        // A changed text is embedded again; a deleted item's vector goes with it.
        let (status, body) = server
            .put(
                "/content/as4",
                json!({"description": "Supermassive black holes at the centre of galaxies."}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let started = Instant::now();
        loop {
            let e = store
                .item_embedding("as4", &model)
                .await
                .expect("read")
                .expect("as4 keeps a vector");
            if e.text_hash != written["as4"].0 {
                assert!(e.updated_at > written["as4"].1, "{name}");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{name}: not re-embedded"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (status, _) = server.delete("/content/ck6").await;
        assert!(status.is_success(), "{name}");
        server.wait_for_embeddings(23).await;
        assert_eq!(
            store.item_embeddings(&model).await.expect("stored").len(),
            23,
            "{name}"
        );

        // The vector index answers content similarity: every other live item, ranked by
        // the cosine of the texts, the deleted one gone, the same topic first.
        let (status, similar) = server.get("/items/ck1/similar?n=50").await;
        assert_eq!(status, StatusCode::OK, "{name}: {similar}");
        assert_eq!(similar["method"], "content", "{name}: {similar}");
        assert_eq!(similar["basis"], "embeddings", "{name}: {similar}");
        let found = scored(&similar["similar"], "content_id", "score");
        assert_eq!(found.len(), 22, "{name}: {similar}");
        assert!(
            found.iter().all(|(id, _)| *id != "ck1" && *id != "ck6"),
            "{name}: {found:?}"
        );
        assert!(
            found.windows(2).all(|w| w[0].1 >= w[1].1),
            "{name}: {found:?}"
        );
        // Only the text model knows that texts on one topic share a meaning; feature
        // hashing (the fallback without its files) matches words alone.
        if model == "all-MiniLM-L6-v2" {
            assert!(
                found[..3].iter().all(|(id, _)| topic(id) == "cooking"),
                "{name}: {found:?}"
            );
        }
        let (status, problem) = server.get("/items/ck1/similar?method=collaborative").await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "{name}: no model yet: {problem}"
        );
        let (status, problem) = server.get("/items/ck1/similar?method=closest").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {problem}"
        );
        assert_eq!(problem["field"], "method", "{name}: {problem}");
        server.finish().await;
    }
}

/// Sixteen users, four per topic, each liking four of their topic's six items and
/// clicking one item of the next topic. Fans 0 and 3 of a topic like the same four (they
/// leave out items 1 and 4); fans 1 and 2 leave out 2 and 5, and 3 and 6.
async fn create_users(server: &TestServer) {
    let topics = ["ml", "ck", "as", "wd"];
    for (t, prefix) in topics.iter().enumerate() {
        for k in 0..4 {
            let user = format!("{prefix}-fan{k}");
            let (status, body) = server
                .post(
                    "/users/",
                    json!({"user_id": user, "interests": [topic(prefix)]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let mut events = Vec::new();
            let left_out = [k + 1, (k + 3) % 6 + 1];
            for i in 1..=6 {
                if !left_out.contains(&i) {
                    events.push(json!({"user_id": user, "item_id": format!("{prefix}{i}"),
                                       "interaction_type": "like"}));
                }
            }
            let next = topics[(t + 1) % 4];
            events.push(
                json!({"user_id": user, "item_id": format!("{next}{}", k + 1),
                               "interaction_type": "click"}),
            );
            let (status, body) = server.post("/interactions", json!(events)).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
}

#[tokio::test]
async fn the_dummi_ai_success_criteria_hold_over_http() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        create_catalog(&server).await;
        create_users(&server).await;
        server.wait_for_embeddings(24).await;
        let last = server
            .train(json!({"algorithm": "als", "hyperparameters": {"factors": 8, "iterations": 10}}))
            .await;
        assert_eq!(last["activated"], true, "{last}");
        let list = |user: &str, n: usize| json!({"user_id": user, "n_recommendations": n});

        // Recommendations differ between users; similar histories overlap.
        let ml0 = recommend(&server, list("ml-fan0", 4)).await;
        let ml3 = recommend(&server, list("ml-fan3", 4)).await;
        let cook = recommend(&server, list("ck-fan0", 4)).await;
        assert_eq!(ml0["method"], "hybrid", "{name}: {ml0}");
        for r in ml0["recommendations"].as_array().expect("list") {
            for field in [
                "content_id",
                "title",
                "category",
                "score",
                "method",
                "explanation",
            ] {
                assert!(!r[field].is_null(), "{field}: {r}");
            }
        }
        assert!(
            ml0["explanation"]
                .as_str()
                .is_some_and(|e| e.contains("text")),
            "{ml0}"
        );
        let (a, b, c) = (ids(&ml0), ids(&ml3), ids(&cook));
        assert_ne!(a, c, "{name}");
        assert!(overlap(&a, &b) >= 3, "{name}: {a:?} vs {b:?}");
        assert!(overlap(&a, &c) <= 1, "{name}: {a:?} vs {c:?}");
        // First come the two machine-learning items they have not seen.
        let mut first_two = a[..2].to_vec();
        first_two.sort();
        assert_eq!(first_two, ["ml1", "ml4"], "{name}: {a:?}");

        // Users like you: the nearest users by the model's user factors are the other fans
        // of the same topic.
        let (status, like_me) = server.get("/users/ml-fan0/similar?n=3").await;
        assert_eq!(status, StatusCode::OK, "{name}: {like_me}");
        assert_eq!(like_me["basis"], "factors", "{name}: {like_me}");
        let neighbours = scored(&like_me["similar"], "user_id", "similarity");
        assert_eq!(neighbours.len(), 3, "{name}: {like_me}");
        assert!(
            neighbours
                .iter()
                .all(|(u, _)| u.starts_with("ml-fan") && *u != "ml-fan0"),
            "{name}: {like_me}"
        );
        assert!(
            neighbours.windows(2).all(|w| w[0].1 >= w[1].1),
            "{name}: {like_me}"
        );
        // ml-fan3 liked exactly the same items.
        assert_eq!(neighbours[0].0, "ml-fan3", "{name}: {like_me}");
        assert_eq!(
            like_me["similar"][0]["items_in_common"], 4,
            "{name}: {like_me}"
        );
        // Similar items by the model, on request.
        let (status, similar) = server
            .get("/items/ml2/similar?n=3&method=collaborative")
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {similar}");
        assert_eq!(similar["basis"], "model", "{name}: {similar}");

        // Positive feedback on an item lifts similar items in the user's next list.
        let before = recommend(&server, list("wd-fan0", 18)).await;
        let rank_of = |list: &Value, wanted: &str| {
            ids(list)
                .iter()
                .position(|i| i == wanted)
                .unwrap_or(usize::MAX)
        };
        let astronomy_score = |list: &Value| -> f64 {
            list["recommendations"]
                .as_array()
                .expect("list")
                .iter()
                .filter(|r| r["category"] == "astronomy" && r["content_id"] != "as4")
                .map(|r| r["score"].as_f64().unwrap_or(0.0))
                .sum()
        };
        let (status, body) = server
            .post(
                "/recommendations/feedback",
                json!({"user_id": "wd-fan0", "content_id": "as4", "feedback_type": "positive"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let after = recommend(&server, list("wd-fan0", 18)).await;
        assert!(!ids(&after).contains(&"as4".to_owned()), "seen: {after}");
        assert!(
            astronomy_score(&after) > astronomy_score(&before),
            "{name}: astronomy should rise after liking as4:\nbefore {before}\nafter {after}"
        );
        let mean_rank = |list: &Value| {
            let others = ["as1", "as2", "as3", "as5", "as6"];
            others
                .iter()
                .map(|i| rank_of(list, i).min(18))
                .sum::<usize>() as f64
                / 5.0
        };
        assert!(
            mean_rank(&after) < mean_rank(&before),
            "{name}: the other astronomy items should move up: {} -> {}",
            mean_rank(&before),
            mean_rank(&after)
        );

        // A cold-start user with interests gets items of those interests.
        let (status, _) = server
            .post(
                "/users/",
                json!({"user_id": "newcomer", "interests": ["astronomy", "telescopes"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let cold = recommend(&server, list("newcomer", 5)).await;
        assert_eq!(cold["method"], "cold_start", "{cold}");
        assert!(
            cold["recommendations"]
                .as_array()
                .expect("list")
                .iter()
                .all(|r| r["category"] == "astronomy" && r["method"] == "cold_start"),
            "{name}: {cold}"
        );
        let (status, anonymous) = server
            .post(
                "/recommendations/cold-start",
                json!({"interests": ["baking bread and cookies"], "n_recommendations": 3}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{anonymous}");
        assert!(
            ids(&anonymous).iter().all(|i| topic(i) == "cooking"),
            "{name}: {anonymous}"
        );

        // A new item, with no interactions and newer than the model, reaches a matching
        // user as soon as it is embedded.
        let (status, body) = server
            .post(
                "/content/",
                json!({"content_id": "as7", "title": "Deep-Sky Astrophotography with a Small Telescope",
                       "category": "astronomy", "tags": ["telescope", "astrophotography"],
                       "description": "Photograph nebulae and galaxies through a telescope."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        server.wait_for_embeddings(25).await;
        let fan = recommend(&server, list("as-fan0", 5)).await;
        let new = fan["recommendations"]
            .as_array()
            .expect("list")
            .iter()
            .find(|r| r["content_id"] == "as7")
            .unwrap_or_else(|| panic!("{name}: the new item is missing: {fan}"));
        assert_eq!(new["method"], "content", "{new}");
        assert!(new["collaborative_score"].is_null(), "{new}");

        // Blending weights move the ranking as documented.
        let weighted =
            |w: f64| json!({"user_id": "ml-fan2", "n_recommendations": 10, "cf_weight": w});
        let cf = recommend(&server, weighted(1.0)).await;
        let content = recommend(&server, weighted(0.0)).await;
        let half = recommend(&server, weighted(0.5)).await;
        assert_eq!(cf["method"], "collaborative", "{cf}");
        assert_eq!(content["method"], "content", "{content}");
        assert_eq!(half["method"], "hybrid", "{half}");
        assert_ne!(ids(&cf), ids(&content), "{name}");
        let interactions = half["interactions"].as_f64().expect("interactions");
        // The documented ramp (threshold 5, popularity_weight 0.5, popularity_prior p as
        // served: chosen by the training, or 0.5 on data too small to choose on):
        // trust r = n / (n + 5), popularity's share 0.5 (1 − r) + p r (1 − r), the rest
        // split by w = 0.5 r / (0.5 r + 0.5); popularity counts in full in the user's
        // categories and down to r of it elsewhere.
        let (status, flow) = server.get("/flow").await;
        assert_eq!(status, StatusCode::OK, "{flow}");
        let prior = flow["popularity_prior"].as_f64().expect("the prior served");
        let trust = interactions / (interactions + 5.0);
        let gamma = 0.5 * (1.0 - trust) + prior * trust * (1.0 - trust);
        let w = trust / (trust + 1.0);
        let (alpha, beta) = ((1.0 - gamma) * w, (1.0 - gamma) * (1.0 - w));
        for r in half["recommendations"].as_array().expect("list") {
            let (Some(c), Some(t)) = (
                r["collaborative_score"].as_f64(),
                r["content_score"].as_f64(),
            ) else {
                panic!("{name}: both signals: {r}");
            };
            let popularity = r["popularity"].as_f64().expect("popularity");
            let personal = alpha * c + beta * t;
            let (lo, hi) = (
                personal + gamma * trust * popularity,
                personal + gamma * popularity,
            );
            let score = r["score"].as_f64().expect("score");
            assert!(
                score >= lo - 1e-4 && score <= hi + 1e-4,
                "{name}: {score} outside {lo}..{hi}: {r}"
            );
        }
        let no_cf = recommend(
            &server,
            json!({"user_id": "ml-fan2", "use_cf": false, "n_recommendations": 10}),
        )
        .await;
        assert_eq!(no_cf["method"], "content", "{no_cf}");
        assert_eq!(ids(&no_cf), ids(&content), "{name}");
        let no_content = recommend(
            &server,
            json!({"user_id": "ml-fan2", "use_embeddings": false, "n_recommendations": 10}),
        )
        .await;
        assert_eq!(no_content["method"], "collaborative", "{no_content}");
        assert_eq!(ids(&no_content), ids(&cf), "{name}");
        let diverse = recommend(
            &server,
            json!({"user_id": "ml-fan2", "n_recommendations": 6, "mmr_lambda": 0.3}),
        )
        .await;
        assert_eq!(ids(&diverse)[0], ids(&half)[0], "{name}: {diverse}");
        let (status, bad) = server
            .post(
                "/recommendations/",
                json!({"user_id": "ml-fan2", "cf_weight": 1.5}),
            )
            .await;
        common::assert_problem(status, &bad, 422, Some("cf_weight"));
        let (status, bad) = server
            .post(
                "/recommendations/",
                json!({"user_id": "ml-fan2", "mmr_lambda": 0}),
            )
            .await;
        common::assert_problem(status, &bad, 422, Some("mmr_lambda"));

        // The hybrid trains over HTTP like any other algorithm, on the stored embeddings,
        // and serves its collaborative part beside the engine's content signal.
        let last = server
            .train(json!({"algorithm": "hybrid", "activate": true,
                       "hyperparameters": {"cf": "als", "cf.factors": 8}}))
            .await;
        assert_eq!(last["activated"], true, "{last}");
        let served = recommend(&server, list("ml-fan0", 4)).await;
        assert_eq!(served["algorithm"], "hybrid", "{name}: {served}");
        assert_eq!(served["method"], "hybrid", "{served}");
        let mut first_two = ids(&served)[..2].to_vec();
        first_two.sort();
        assert_eq!(first_two, ["ml1", "ml4"], "{name}: {served}");
        server.finish().await;
    }
}
