//! Accounts, tokens and the access rules with an admin key configured: what needs the
//! key, what a user's own token allows, and every way credentials fail.

mod common;

use std::time::Duration;

use common::{TestServer, assert_problem, config, send, sqlite};
use orrery_server::auth::{Claims, Tokens};
use orrery_server::{Server, ServerConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "admin-key-for-tests";
const SECRET: &str = "a-jwt-secret-of-some-length";

async fn token(server: &TestServer, email: &str, password: &str) -> (StatusCode, Value) {
    send(server.request(Method::POST, "/auth/token").form(&[
        ("username", email),
        ("password", password),
        ("grant_type", "password"),
    ]))
    .await
}

async fn as_bearer(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server.request(method, path).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

async fn as_admin(
    server: &TestServer,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server.request(method, path).header("X-API-Key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

#[tokio::test]
async fn keys_and_tokens_guard_what_they_should() {
    let mut cfg = config();
    cfg.api_key = Some(KEY.into());
    cfg.jwt_secret = Some(SECRET.into());
    let server = TestServer::start(cfg, sqlite().await).await;

    // Sign-up stays open.
    let (status, ann) = server
        .post(
            "/users/",
            json!({"email": "ann@example.org", "password": "correct horse", "demographics": {"age": 31, "gender": "F", "occupation": 4}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ann}");
    let ann_id = ann["user_id"].as_str().expect("generated id").to_owned();
    assert_eq!(ann["age"], 31);
    assert_eq!(ann["occupation"], "4");
    let (status, bob) = server
        .post(
            "/users/",
            json!({"user_id": "bob", "email": "bob@example.org", "password": "battery staple"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bob}");
    let (status, taken) = server
        .post(
            "/users/",
            json!({"email": "ANN@example.org", "password": "another one"}),
        )
        .await;
    assert_problem(status, &taken, 409, None);

    // Tokens.
    let (status, body) = token(&server, "ann@example.org", "wrong horse").await;
    assert_problem(status, &body, 401, None);
    let (status, body) = token(&server, "nobody@example.org", "correct horse").await;
    assert_problem(status, &body, 401, None);
    let (status, body) = token(&server, "ann@example.org", "correct horse").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let ann_token = body["access_token"].as_str().expect("token").to_owned();
    let (_, body) = token(&server, "bob@example.org", "battery staple").await;
    let bob_token = body["access_token"].as_str().expect("token").to_owned();

    // /users/me.
    let (status, body) = server.get("/users/me").await;
    assert_problem(status, &body, 401, None);
    let (status, me) = as_bearer(&server, Method::GET, "/users/me", &ann_token, None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["user_id"].as_str(), me["email"].as_str()),
        (Some(ann_id.as_str()), Some("ann@example.org"))
    );

    // Expired, forged and malformed tokens.
    let tokens = Tokens::new(Some(SECRET), Duration::from_secs(60));
    let expired = tokens
        .issue_claims(&Claims {
            sub: ann_id.clone(),
            iat: 1,
            exp: 2,
            generation: 0,
        })
        .expect("token");
    let (status, body) = as_bearer(&server, Method::GET, "/users/me", &expired, None).await;
    assert_problem(status, &body, 401, None);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("expired"),
        "{body}"
    );
    let forged = Tokens::new(Some("some-other-secret-entirely"), Duration::from_secs(60))
        .issue(&ann_id, 0)
        .expect("token");
    let (status, body) = as_bearer(&server, Method::GET, "/users/me", &forged, None).await;
    assert_problem(status, &body, 401, None);
    let (status, body) = as_bearer(&server, Method::GET, "/users/me", "not.a.jwt", None).await;
    assert_problem(status, &body, 401, None);

    // Changing a user: their own token or the key; not another user's token.
    let ann_path = format!("/users/{ann_id}");
    let (status, body) = as_bearer(
        &server,
        Method::PUT,
        &ann_path,
        &bob_token,
        Some(json!({"interests": ["x"]})),
    )
    .await;
    assert_problem(status, &body, 403, None);
    let (status, body) = as_bearer(&server, Method::DELETE, &ann_path, &bob_token, None).await;
    assert_problem(status, &body, 403, None);
    let (status, body) = server.put(&ann_path, json!({"interests": ["x"]})).await;
    assert_problem(status, &body, 401, None);
    let (status, body) = as_bearer(
        &server,
        Method::PUT,
        &ann_path,
        &ann_token,
        Some(json!({"interests": ["drama"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = as_admin(
        &server,
        Method::PUT,
        &ann_path,
        KEY,
        Some(json!({"skill_level": "expert"})),
    )
    .await;
    assert_eq!(
        (status, body["skill_level"].as_str()),
        (StatusCode::OK, Some("expert")),
        "{body}"
    );
    // A new password works at once; the old one no longer does.
    let (status, _) = as_bearer(
        &server,
        Method::PUT,
        &ann_path,
        &ann_token,
        Some(json!({"password": "new password 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        token(&server, "ann@example.org", "correct horse").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = token(&server, "ann@example.org", "new password 1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The change ended the tokens issued before it.
    let (status, refused) = as_bearer(&server, Method::GET, "/users/me", &ann_token, None).await;
    assert_problem(status, &refused, 401, None);
    let ann_token = body["access_token"].as_str().expect("token").to_owned();

    // Wrong key, no key, a user's token for admin work.
    let (status, body) = as_admin(
        &server,
        Method::POST,
        "/training/train",
        "wrong-key",
        Some(json!({})),
    )
    .await;
    assert_problem(status, &body, 401, None);
    let (status, body) = server.post("/training/train", json!({})).await;
    assert_problem(status, &body, 401, None);
    let (status, body) = as_bearer(
        &server,
        Method::POST,
        "/training/train",
        &ann_token,
        Some(json!({})),
    )
    .await;
    assert_problem(status, &body, 403, None);
    let (status, body) = as_bearer(&server, Method::DELETE, "/models/1", &ann_token, None).await;
    assert_problem(status, &body, 403, None);
    let (status, body) = server.get("/users/").await;
    assert_problem(status, &body, 401, None);

    // Catalog writes need the key.
    let movie = json!({"movie_id": 1, "title": "Toy Story", "genres": "Animation|Comedy"});
    let (status, body) = server.post("/movies/", movie.clone()).await;
    assert_problem(status, &body, 401, None);
    let (status, body) = as_bearer(
        &server,
        Method::POST,
        "/movies/",
        &ann_token,
        Some(movie.clone()),
    )
    .await;
    assert_problem(status, &body, 403, None);
    let (status, body) = as_admin(&server, Method::POST, "/movies/", KEY, Some(movie)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["genres"], json!(["Animation", "Comedy"]));
    // Reading the catalog stays open.
    let (status, _) = server.get("/movies/1").await;
    assert_eq!(status, StatusCode::OK);

    // Interactions: your own with your token, anyone's with the key.
    let ann_rating = json!([{"user_id": ann_id, "movie_id": 1, "rating": 5}]);
    let (status, body) = as_bearer(
        &server,
        Method::POST,
        "/ratings/",
        &ann_token,
        Some(ann_rating.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = as_bearer(
        &server,
        Method::POST,
        "/ratings/",
        &bob_token,
        Some(ann_rating.clone()),
    )
    .await;
    assert_problem(status, &body, 403, None);
    let (status, body) = server.post("/ratings/", ann_rating).await;
    assert_problem(status, &body, 401, None);
    let (status, body) = as_admin(
        &server,
        Method::POST,
        "/interactions",
        KEY,
        Some(json!({"user_id": "bob", "item_id": 1, "type": "click"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Recommendations: your own.
    let recs = format!("/recommendations/{ann_id}");
    let (status, body) = as_bearer(&server, Method::GET, &recs, &ann_token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = as_bearer(&server, Method::GET, &recs, &bob_token, None).await;
    assert_problem(status, &body, 403, None);
    let (status, body) = server.get(&recs).await;
    assert_problem(status, &body, 401, None);

    // Bulk deletes need the key.
    let (status, body) = as_bearer(&server, Method::DELETE, "/users/", &ann_token, None).await;
    assert_problem(status, &body, 403, None);
    let (status, body) = as_admin(&server, Method::DELETE, "/users/", KEY, None).await;
    assert_eq!(
        (status, &body["deleted"]),
        (StatusCode::OK, &json!(2)),
        "{body}"
    );
    server.finish().await;
}

#[tokio::test]
async fn refuses_to_listen_beyond_loopback_without_credentials() {
    let db = sqlite().await;
    let open = ServerConfig {
        bind: "0.0.0.0:0".parse().expect("address"),
        ..ServerConfig::default()
    };
    let err = Server::bind(open.clone(), db.store.clone())
        .await
        .err()
        .expect("refused before binding");
    assert!(err.to_string().contains("--insecure"), "{err}");
    // With credentials, or explicitly insecure, the same address passes the check (not
    // bound here: tests listen on loopback only).
    let keyed = ServerConfig {
        api_key: Some(KEY.into()),
        jwt_secret: Some(SECRET.into()),
        ..open.clone()
    };
    assert!(keyed.validate().is_ok());
    let insecure = ServerConfig {
        insecure: true,
        ..open
    };
    assert!(insecure.validate().is_ok());
}
