//! Served lists and their outcomes over HTTP, on SQLite and PostgreSQL: every
//! recommendation route answers with a `recommendation_id` and records the list; an
//! interaction sent with the id is credited to its list and position, one without it to
//! the user's latest list showing the item; another user cannot claim a list; the metrics
//! count each list and position once; deleting a user deletes their lists; the routes are
//! the admin's. With the exploration slot on, a new item takes its position, the
//! recorded list says so, and its clicks count once per list.

mod common;

use std::time::{Duration, Instant};

use common::{TestServer, assert_problem, config, databases};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The admin key of the access test.
const KEY: &str = "impressions-admin-key";

async fn setup(server: &TestServer) {
    for (id, title, genre) in [
        ("m1", "Night of the Comet", "Horror"),
        ("m2", "The Fog", "Horror"),
        ("m3", "Alien", "Horror"),
        ("m4", "Airplane!", "Comedy"),
        ("m5", "Clue", "Comedy"),
        ("m6", "Heat", "Crime"),
    ] {
        let (status, body) = server
            .post(
                "/movies",
                json!({"movie_id": id, "title": title, "genres": [genre]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for user in ["ann", "bea", "cal"] {
        let (status, body) = server.post("/users", json!({"user_id": user})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Some history, so that lists are not empty and popularity orders them.
    let (status, body) = server
        .post(
            "/interactions",
            json!([
                {"user_id": "cal", "item_id": "m1", "kind": "like"},
                {"user_id": "cal", "item_id": "m4", "kind": "click"},
                {"user_id": "bea", "item_id": "m4", "kind": "like"},
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn list_id(body: &Value) -> String {
    let id = body["recommendation_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no recommendation_id in {body}"))
        .to_owned();
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    id
}

fn items(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
        .iter()
        .map(|i| i["item_id"].as_str().expect("item_id").to_owned())
        .collect()
}

/// The metrics once the writer has stored at least `lists` lists and `outcomes`
/// outcomes in all (it writes in batches, a moment after serving).
async fn metrics_when_written(
    server: &TestServer,
    query: &str,
    lists: u64,
    outcomes: u64,
) -> Value {
    let start = Instant::now();
    loop {
        let (status, body) = server.get(&format!("/impressions/metrics{query}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let recorder = &body["recorder"];
        if recorder["lists_written"].as_u64() >= Some(lists)
            && recorder["outcomes_written"].as_u64() >= Some(outcomes)
        {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the writer did not store {lists} lists and {outcomes} outcomes: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn served_lists_are_recorded_and_what_follows_is_credited_to_them() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        setup(&server).await;

        // Every kind of list carries an id of its own.
        let (status, ann_list) = server.get("/recommendations/ann?n=3").await;
        assert_eq!(status, StatusCode::OK, "{name}: {ann_list}");
        let ann_id = list_id(&ann_list);
        let shown = items(&ann_list, "recommendations");
        assert_eq!(shown.len(), 3, "{name}: {ann_list}");
        let (_, again) = server.get("/recommendations/ann?n=3").await;
        assert_ne!(
            list_id(&again),
            ann_id,
            "{name}: a second serve is a second list"
        );
        let (status, similar) = server.get("/items/m1/similar?n=2").await;
        assert_eq!(status, StatusCode::OK, "{name}: {similar}");
        list_id(&similar);
        let (status, onboarding) = server
            .get("/recommendations/onboarding-movies?num_movies=2")
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {onboarding}");
        list_id(&onboarding);
        let (status, cold) = server
            .post(
                "/recommendations/cold-start",
                json!({"genres": ["Comedy"], "n_recommendations": 2}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {cold}");
        list_id(&cold);

        // A click on the second item, naming the list: credited there.
        let (status, body) = server
            .post(
                "/interactions",
                json!({"user_id": "ann", "item_id": shown[1], "kind": "click",
                       "recommendation_id": ann_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        // A like of the first without the id: credited to ann's latest list showing it
        // (the second serve), a conversion.
        let (status, body) = server
            .post(
                "/recommendations/feedback",
                json!({"user_id": "ann", "content_id": shown[0], "feedback_type": "positive"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        // bea cannot claim ann's list, and was shown nothing: no outcome.
        let (status, body) = server
            .post(
                "/interactions",
                json!({"user_id": "bea", "item_id": shown[0], "kind": "click",
                       "recommendation_id": ann_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        // An id that is not one is the request's error, and nothing is stored.
        let (status, body) = server
            .post(
                "/interactions",
                json!({"user_id": "ann", "item_id": "m6", "kind": "click",
                       "recommendation_id": "'; drop table impressions"}),
            )
            .await;
        assert_problem(status, &body, 422, Some("recommendation_id"));
        let (status, body) = server
            .post(
                "/ratings",
                json!([{"user_id": "ann", "movie_id": "m6", "rating": 5, "recommendation_id": ""}]),
            )
            .await;
        assert_problem(status, &body, 422, Some("[0].recommendation_id"));

        let all = metrics_when_written(&server, "", 5, 2).await;
        assert_eq!(all["lists"], 5, "{name}: {all}");
        assert_eq!(all["recorder"]["dropped"], 0, "{name}: {all}");
        let users = metrics_when_written(&server, "?surface=user", 5, 2).await;
        assert_eq!(users["lists"], 2, "{name}: {users}");
        assert_eq!(users["items_shown"], 6, "{name}: {users}");
        assert_eq!(users["clicks"], 2, "{name}: {users}");
        assert_eq!(users["conversions"], 1, "{name}: {users}");
        // Two lists, one clicked at 2 (the named one), one at 1 (the latest showing it).
        assert_eq!(users["lists_clicked"], 2, "{name}: {users}");
        assert!(
            (users["mrr"].as_f64().unwrap() - 0.75).abs() < 1e-9,
            "{name}: {users}"
        );
        let by_position = users["by_position"].as_array().unwrap();
        assert_eq!(by_position.len(), 3, "{name}: {users}");
        assert_eq!(by_position[0]["shown"], 2);
        assert_eq!(by_position[0]["clicks"], 1);
        assert_eq!(by_position[1]["clicks"], 1);
        assert_eq!(by_position[2]["clicks"], 0);
        let similar_only = metrics_when_written(&server, "?surface=similar", 5, 2).await;
        assert_eq!(similar_only["lists"], 1, "{name}: {similar_only}");
        assert_eq!(similar_only["clicks"], 0, "{name}: {similar_only}");
        // A period with nothing in it.
        let (_, empty) = server.get("/impressions/metrics?since=0&until=1").await;
        assert_eq!(empty["lists"], 0, "{name}: {empty}");
        assert_eq!(empty["ctr"], 0.0, "{name}: {empty}");
        let (status, body) = server.get("/impressions/metrics?since=5&until=5").await;
        assert_problem(status, &body, 422, Some("since"));
        let (status, body) = server.get("/impressions/metrics?surface=page").await;
        assert!(status.is_client_error(), "{name}: {status} {body}");

        // The recorded list is what ann was shown.
        let (status, recorded) = server.get(&format!("/impressions/{ann_id}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {recorded}");
        assert_eq!(recorded["user_id"], "ann");
        assert_eq!(recorded["surface"], "user");
        assert_eq!(recorded["items"], json!(shown));

        // Deleting ann deletes the lists she was shown.
        let (status, _) = server.delete("/users/ann").await;
        assert!(status.is_success(), "{name}: {status}");
        let (status, body) = server.get(&format!("/impressions/{ann_id}")).await;
        assert_problem(status, &body, 404, None);
        server.finish().await;
    }
}

#[tokio::test]
async fn only_the_admin_reads_the_metrics() {
    let db = common::sqlite().await;
    let server = TestServer::start(
        orrery_server::ServerConfig {
            api_key: Some(KEY.into()),
            jwt_secret: Some("a secret of at least thirty-two bytes!".into()),
            ..config()
        },
        db,
    )
    .await;
    for path in ["/impressions/metrics", "/impressions/0123abcd"] {
        let (status, body) = common::send(server.request(Method::GET, path)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        let (status, body) =
            common::send(server.request(Method::GET, path).header("x-api-key", KEY)).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_ne!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    server.finish().await;
}

#[tokio::test]
async fn with_recording_off_lists_carry_no_id() {
    let db = common::sqlite().await;
    let server = TestServer::start(
        orrery_server::ServerConfig {
            impressions: orrery_engine::impressions::ImpressionSettings {
                record: false,
                ..Default::default()
            },
            ..config()
        },
        db,
    )
    .await;
    setup(&server).await;
    let (status, body) = server.get("/recommendations/bea?n=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("recommendation_id").is_none(), "{body}");
    let (_, metrics) = server.get("/impressions/metrics").await;
    assert_eq!(metrics["recorder"]["recording"], false, "{metrics}");
    assert_eq!(metrics["lists"], 0, "{metrics}");
    server.finish().await;
}

#[tokio::test]
async fn the_exploration_slot_places_a_new_item_and_its_clicks_count_once_per_list() {
    for db in databases().await {
        let server = TestServer::start(
            orrery_server::ServerConfig {
                flow: orrery_engine::flow::FlowSettings {
                    exploration: orrery_engine::flow::ExplorationSettings {
                        share: 1.0,
                        position: 2,
                        new_items: 2,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                ..config()
            },
            db,
        )
        .await;
        let name = server.backend.clone();
        setup(&server).await;
        for (id, title) in [("n1", "Brand New Film"), ("n2", "Newer Still")] {
            let (status, body) = server
                .post(
                    "/movies",
                    json!({"movie_id": id, "title": title, "genres": ["Drama"]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }

        // Nothing recorded yet, so no baseline: every list has the slot, at position 2,
        // holding one of the two items added last.
        let (status, list) = server.get("/recommendations/ann?n=4").await;
        assert_eq!(status, StatusCode::OK, "{name}: {list}");
        let listed = list["recommendations"].as_array().expect("items");
        let explored: Vec<usize> = (0..listed.len())
            .filter(|&i| {
                listed[i]["sources"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s == "exploration"))
            })
            .collect();
        assert_eq!(explored, vec![1], "{name}: {list}");
        let item = listed[1]["item_id"].as_str().unwrap().to_owned();
        assert!(item == "n1" || item == "n2", "{name}: {list}");
        let explanation = listed[1]["explanation"].as_str().unwrap();
        assert!(
            explanation.starts_with("new in the catalog"),
            "{name}: {explanation}"
        );
        let shown = items(&list, "recommendations");
        assert_eq!(
            shown.iter().filter(|i| **i == item).count(),
            1,
            "{name}: once in the list: {list}"
        );

        // A page that does not hold the position has no slot.
        let (_, second) = server.get("/recommendations/ann?n=4&offset=4").await;
        assert!(
            !second.to_string().contains("\"exploration\""),
            "{name}: {second}"
        );

        // The recorded list keeps the slot's position; a click and a like on the item
        // count one click for it.
        let id = list_id(&list);
        let (status, body) = server
            .post(
                "/interactions",
                json!([
                    {"user_id": "ann", "item_id": item, "kind": "click", "recommendation_id": id},
                    {"user_id": "ann", "item_id": item, "kind": "like", "recommendation_id": id},
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        let store = server.store().expect("the server's store");
        let deadline = Instant::now() + Duration::from_secs(30);
        let counts = loop {
            let stats = store.item_stats_since(0).await.unwrap();
            let of_item = stats.iter().find(|s| s.item == item).cloned();
            if let Some(counts) = of_item.filter(|s| s.clicked > 0) {
                break counts;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: no click counted: {stats:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let again = store.item_stats_since(0).await.unwrap();
        let counts_now = again.iter().find(|s| s.item == item).unwrap();
        assert_eq!(counts_now.clicked, 1, "{name}: {again:?}");
        assert!(counts.shown >= 1, "{name}: {counts:?}");
        let (status, recorded) = server.get(&format!("/impressions/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{name}: {recorded}");
        assert_eq!(recorded["explored_position"], 2, "{name}: {recorded}");
        server.finish().await;
    }
}
