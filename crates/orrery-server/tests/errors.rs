//! Client mistakes get the right 4xx as application/problem+json, naming the field or the
//! id at fault; never a 5xx.

mod common;

use common::{TestServer, assert_problem, config, send, sqlite};
use reqwest::{Method, StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn client_mistakes_are_problems_that_name_the_field() {
    let mut cfg = config();
    cfg.body_limit = 4 * 1024;
    let server = TestServer::start(cfg, sqlite().await).await;

    // A number where the seeds send a number means the same id as the string.
    let (status, user) = server
        .post("/users/", json!({"user_id": 1, "interests": ["ml"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["user_id"], "1");
    let (status, _) = server.get("/users/1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, item) = server
        .post("/items", json!({"item_id": 7, "title": "Seven", "categories": [{"type": "genre", "value": "Drama"}]}))
        .await;
    assert_eq!(
        (status, item["item_id"].as_str()),
        (StatusCode::CREATED, Some("7")),
        "{item}"
    );

    // Wrong type → 422 naming the field, with the problem media type.
    let response = server
        .request(Method::POST, "/users/")
        .json(&json!({"user_id": "u2", "age": "old"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.expect("json");
    assert_problem(StatusCode::UNPROCESSABLE_ENTITY, &body, 422, Some("age"));

    // Deep inside a batch.
    let (status, body) = server
        .post(
            "/ratings/",
            json!([{"user_id": 1, "movie_id": 7, "rating": 4}, {"user_id": 1, "movie_id": 7, "rating": "five"}]),
        )
        .await;
    assert_problem(status, &body, 422, Some("[1].rating"));
    let (status, body) = server
        .post(
            "/ratings/",
            json!([{"user_id": 1, "movie_id": 7, "rating": 9}]),
        )
        .await;
    assert_problem(status, &body, 422, Some("[0].rating"));
    // A missing field is named too.
    let (status, body) = server
        .post("/recommendations/feedback", json!({"user_id": "1"}))
        .await;
    assert_problem(status, &body, 422, Some("content_id"));
    let (status, body) = server
        .post(
            "/recommendations/feedback",
            json!({"user_id": "1", "content_id": "7", "feedback_type": "great"}),
        )
        .await;
    assert_problem(status, &body, 422, Some("feedback_type"));
    // An invalid value that parses.
    let (status, body) = server
        .post(
            "/users/",
            json!({"email": "not-an-email", "password": "long enough"}),
        )
        .await;
    assert_problem(status, &body, 422, Some("email"));
    let (status, body) = server
        .post(
            "/interactions",
            json!({"user_id": 1, "item_id": 7, "type": "teleport!"}),
        )
        .await;
    assert_problem(status, &body, 422, Some("kind"));

    // Malformed JSON → 400.
    let (status, body) = send(
        server
            .request(Method::POST, "/users/")
            .header(header::CONTENT_TYPE, "application/json")
            .body("{\"user_id\": \"u3\", "),
    )
    .await;
    assert_problem(status, &body, 400, None);
    // A body that is not JSON at all by its type → 415.
    let (status, body) = send(
        server
            .request(Method::POST, "/users/")
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body("xx"),
    )
    .await;
    assert_problem(status, &body, 415, None);
    // Too large → 413.
    let big = json!({"user_id": "u4", "interests": vec!["x".repeat(100); 100]});
    let (status, body) = server.post("/users/", big).await;
    assert_problem(status, &body, 413, None);

    // Query parameters.
    let (status, body) = server.get("/recommendations/1?n=ten").await;
    assert_problem(status, &body, 422, Some("n"));
    let (status, body) = server.get("/recommendations/1?n=0").await;
    assert_problem(status, &body, 422, Some("n"));

    // Unknown ids → 404 naming the id.
    let (status, body) = server.get("/users/nobody").await;
    assert_problem(status, &body, 404, None);
    assert_eq!(body["id"], "nobody");
    let (status, body) = server.get("/recommendations/ghost").await;
    assert_problem(status, &body, 404, None);
    assert_eq!(body["id"], "ghost");
    let (status, body) = server
        .post(
            "/recommendations/feedback",
            json!({"user_id": 1, "content_id": "nope", "feedback_type": "positive"}),
        )
        .await;
    assert_problem(status, &body, 404, None);
    assert_eq!(body["id"], "nope");
    let (status, body) = server.get("/items/404").await;
    assert_eq!(
        (status.as_u16(), body["id"].as_str()),
        (404, Some("404")),
        "{body}"
    );
    let (status, body) = server.get("/items/nope/similar").await;
    assert_problem(status, &body, 404, None);
    let (status, body) = server.post("/models/41/activate", json!({})).await;
    assert_problem(status, &body, 404, None);
    assert_eq!(body["id"], "41");
    let (status, body) = server.delete("/models/latest").await;
    assert_problem(status, &body, 404, None);
    let (status, body) = server.get("/no/such/route").await;
    assert_problem(status, &body, 404, None);

    // Conflicts.
    let (status, body) = server
        .post("/predict", json!({"user_id": 1, "item_id": 7}))
        .await;
    assert_problem(status, &body, 409, None);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("train"),
        "{body}"
    );
    let (status, body) = server
        .post("/items", json!({"item_id": "7", "title": "Again"}))
        .await;
    assert_problem(status, &body, 409, None);

    // Training parameters are validated before anything starts.
    let (status, body) = server
        .post(
            "/training/train",
            json!({"algorithm": "mf", "hyperparameters": {"factors": 0}}),
        )
        .await;
    assert_problem(status, &body, 422, Some("hyperparameters.factors"));
    let (status, body) = server
        .post(
            "/api/ml/train",
            json!({"model_type": "quantum", "hyperparams": {}}),
        )
        .await;
    assert_problem(status, &body, 422, Some("model_type"));
    let (status, body) = server.get("/training/status").await;
    assert_eq!((status, &body["running"]), (StatusCode::OK, &json!(false)));
    server.finish().await;
}

#[tokio::test]
async fn the_api_documents_itself() {
    let server = TestServer::start(config(), sqlite().await).await;
    let (status, spec) = server.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().expect("paths");
    for path in [
        "/users",
        "/users/me",
        "/users/{user_id}",
        "/content/category/{category}",
        "/movies/{movie_id}",
        "/recommendations",
        "/recommendations/{user_id}",
        "/recommendations/cold-start",
        "/recommendations/onboarding-movies",
        "/items/{item_id}/similar",
        "/users/{user_id}/similar",
        "/explain/{user_id}/{item_id}",
        "/training/train",
        "/models/{version}/activate",
        "/metrics/history",
        "/api/ml/models/activate/{version}",
        "/auth/token",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(spec["components"]["schemas"]["Problem"].is_object());
    let response = server
        .request(Method::GET, "/docs")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("page");
    assert!(
        page.contains("/openapi.json") && !page.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let (status, health) = server.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["service"], "orrery");
    assert_eq!(health["database"]["backend"], "sqlite");
    assert!(health["active_model"].is_null());
    server.finish().await;
}
