//! Security of the HTTP service, end to end on a real server:
//!
//! - every route of `/openapi.json` is listed in [`RULES`] with its access rule, and is
//!   called as nobody, another user, the user and the admin, with and without an admin key
//!   configured; a route added without a rule here fails the test;
//! - expired, tampered, unsigned and otherwise wrong tokens are refused with 401;
//! - passwords are stored as argon2id hashes (the SQLite files are searched for the clear
//!   text) and never returned;
//! - strings with SQL, HTML and control characters come back exactly as they were sent,
//!   and a NUL, which PostgreSQL cannot store, is a 422 naming the field on both backends;
//! - bodies over the configured limit are refused with 413 problem+json;
//! - a token stops working when its user changes the password or is deleted, also for a
//!   new user created under the same id;
//! - sign-in is limited per account and per client address (429 with `Retry-After`), and
//!   an unknown email takes as long to refuse as a wrong password;
//! - a number out of its field's range is a 422 naming the field, and requests too large
//!   to parse get problem documents;
//! - pipeline files with per-user rows follow the per-user rule (see also `pipeline.rs`);
//! - other sites' pages cannot write to an open server (415 for bodies not declared JSON,
//!   403 for foreign origins and host names, CORS for configured origins only);
//! - idle connections and slow headers are closed after their timeouts, a newcomer at the
//!   connection limit gets the slot of the idlest connection, and `/health` answers under
//!   1,000 idle connections.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{TestServer, assert_problem, config, databases, import_ml100k, send, sqlite};
use orrery_server::auth::{Claims, Tokens, verify_password};
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde_json::{Value, json};

const KEY: &str = "admin-key-for-security-tests";
const SECRET: &str = "a-jwt-secret-for-security-tests";
const ANN: &str = "ann";
const BOB: &str = "bob";

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, with or without credentials.
    Open,
    /// The user named by the request (their token) or the admin.
    ActingFor,
    /// The admin only.
    Admin,
    /// Any user's own token (`/users/me`).
    OwnToken,
    /// The admin reads every user's rows, a user's token only that user's own.
    OwnRows,
}

/// Every documented route, its rule, and a request body acting for [`ANN`] where it takes
/// one. Path parameters are filled in by [`fill`].
const RULES: &[(&str, &str, Rule)] = &[
    ("GET", "/", Rule::Open),
    ("GET", "/health", Rule::Open),
    ("GET", "/recommendations/health", Rule::Open),
    ("POST", "/auth/token", Rule::Open),
    ("POST", "/users", Rule::Open),
    ("GET", "/users", Rule::Admin),
    ("DELETE", "/users", Rule::Admin),
    ("GET", "/users/me", Rule::OwnToken),
    ("GET", "/users/{user_id}", Rule::ActingFor),
    ("PUT", "/users/{user_id}", Rule::ActingFor),
    ("DELETE", "/users/{user_id}", Rule::ActingFor),
    ("GET", "/users/{user_id}/interactions", Rule::ActingFor),
    ("GET", "/users/{user_id}/similar", Rule::ActingFor),
    ("GET", "/items", Rule::Open),
    ("POST", "/items", Rule::Admin),
    ("GET", "/items/{item_id}", Rule::Open),
    ("PUT", "/items/{item_id}", Rule::Admin),
    ("DELETE", "/items/{item_id}", Rule::Admin),
    ("GET", "/items/{item_id}/similar", Rule::Open),
    ("GET", "/content", Rule::Open),
    ("POST", "/content", Rule::Admin),
    ("GET", "/content/{content_id}", Rule::Open),
    ("PUT", "/content/{content_id}", Rule::Admin),
    ("DELETE", "/content/{content_id}", Rule::Admin),
    ("GET", "/content/category/{category}", Rule::Open),
    ("GET", "/movies", Rule::Open),
    ("POST", "/movies", Rule::Admin),
    ("GET", "/movies/{movie_id}", Rule::Open),
    ("PUT", "/movies/{movie_id}", Rule::Admin),
    ("DELETE", "/movies/{movie_id}", Rule::Admin),
    ("POST", "/interactions", Rule::ActingFor),
    ("POST", "/ratings", Rule::ActingFor),
    ("POST", "/recommendations/interact", Rule::ActingFor),
    ("POST", "/recommendations/feedback", Rule::ActingFor),
    ("POST", "/recommendations", Rule::ActingFor),
    ("GET", "/recommendations/{user_id}", Rule::ActingFor),
    ("POST", "/recommendations/cold-start", Rule::Open),
    ("GET", "/recommendations/onboarding-movies", Rule::Open),
    ("POST", "/predict", Rule::ActingFor),
    ("GET", "/explain/{user_id}/{item_id}", Rule::ActingFor),
    ("POST", "/training/train", Rule::Admin),
    ("POST", "/training/cancel", Rule::Admin),
    ("GET", "/training/status", Rule::Open),
    ("GET", "/training/runs", Rule::Open),
    ("GET", "/training/algorithms", Rule::Open),
    ("GET", "/models", Rule::Open),
    ("POST", "/models/{version}/activate", Rule::Admin),
    ("DELETE", "/models/{version}", Rule::Admin),
    ("POST", "/models/{version}/pin", Rule::Admin),
    ("DELETE", "/models/{version}/pin", Rule::Admin),
    ("GET", "/metrics", Rule::Open),
    ("GET", "/metrics/history", Rule::Open),
    ("GET", "/metrics/serving", Rule::Open),
    ("GET", "/flow", Rule::Open),
    ("GET", "/impressions/metrics", Rule::Admin),
    ("GET", "/impressions/{recommendation_id}", Rule::Admin),
    ("POST", "/experiments", Rule::Admin),
    ("GET", "/experiments", Rule::Admin),
    ("GET", "/experiments/{id}", Rule::Admin),
    ("DELETE", "/experiments/{id}", Rule::Admin),
    ("POST", "/experiments/{id}/start", Rule::Admin),
    ("POST", "/experiments/{id}/pause", Rule::Admin),
    ("POST", "/experiments/{id}/stop", Rule::Admin),
    ("GET", "/metrics/prometheus", Rule::Open),
    ("GET", "/stats", Rule::Open),
    ("GET", "/stats/interactions-per-day", Rule::Open),
    ("POST", "/api/ml/train", Rule::Admin),
    ("POST", "/api/ml/retrain", Rule::Admin),
    ("GET", "/api/ml/training-status", Rule::Open),
    ("GET", "/api/ml/recommendations/{user_id}", Rule::ActingFor),
    ("POST", "/api/ml/predict", Rule::ActingFor),
    (
        "GET",
        "/api/ml/explain/{user_id}/{movie_id}",
        Rule::ActingFor,
    ),
    ("GET", "/api/ml/metrics", Rule::Open),
    ("GET", "/api/ml/metrics/history", Rule::Open),
    ("GET", "/api/ml/models", Rule::Open),
    ("POST", "/api/ml/models/activate/{version}", Rule::Admin),
    ("DELETE", "/api/ml/models/{version}", Rule::Admin),
    ("POST", "/run-layer/{n}", Rule::Admin),
    ("GET", "/run-layer/{n}/output", Rule::OwnRows),
    ("GET", "/pipeline/outputs", Rule::Open),
];

/// The path with its parameters filled in: the user is [`ANN`], items are MovieLens
/// movie 1, the version is 1 and the pipeline layer 2 (3 for its per-user output).
fn fill(path: &str) -> String {
    path.replace("{user_id}", ANN)
        .replace("{item_id}", "1")
        .replace("{content_id}", "1")
        .replace("{movie_id}", "1")
        .replace("{recommendation_id}", "0123456789abcdef0123456789abcdef")
        .replace("{category}", "Comedy")
        .replace("{version}", "1")
        .replace("{id}", "spring-sale")
        // Layer 3's output holds a row per user; layer 2 (run by POST) holds none.
        .replace("{n}/output", "3/output")
        .replace("{n}", "2")
}

/// A body for the route; those acting for a user act for [`ANN`].
fn request_body(method: &str, path: &str, caller: &str) -> Option<Value> {
    let body = match (method, path) {
        ("POST", "/users") => json!({"user_id": format!("new-{caller}")}),
        ("PUT", "/users/{user_id}") => json!({"interests": ["Comedy"]}),
        ("POST", "/items" | "/content" | "/movies") => {
            json!({"item_id": format!("new-{caller}"), "title": "New"})
        }
        ("PUT", _) => json!({"title": "Toy Story (1995)"}),
        ("POST", "/interactions") => json!({"user_id": ANN, "item_id": "1", "type": "click"}),
        ("POST", "/ratings") => json!([{"user_id": ANN, "movie_id": "2", "rating": 4}]),
        ("POST", "/recommendations/interact") => {
            json!({"user_id": ANN, "content_id": "3", "interaction_type": "view"})
        }
        ("POST", "/recommendations/feedback") => {
            json!({"user_id": ANN, "content_id": "4", "feedback_type": "positive"})
        }
        ("POST", "/recommendations") => json!({"user_id": ANN, "n_recommendations": 3}),
        ("POST", "/experiments") => json!({
            "id": format!("exp-{caller}"),
            "variants": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
        }),
        ("POST", "/predict" | "/api/ml/predict") => json!({"user_id": ANN, "item_id": "1"}),
        ("POST", "/recommendations/cold-start") => json!({"genres": ["Comedy"]}),
        ("POST", "/training/train" | "/api/ml/train") => {
            json!({"algorithm": "popularity", "activate": false})
        }
        _ => return None,
    };
    Some(body)
}

/// A caller: nobody, a user's token, or the admin key.
#[derive(Debug, Clone)]
enum As {
    Nobody,
    Token(&'static str, String),
    Admin,
}

impl As {
    fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            As::Nobody => request,
            As::Token(_, token) => request.bearer_auth(token),
            As::Admin => request.header("X-API-Key", KEY),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            As::Nobody => "nobody",
            As::Token(who, _) => who,
            As::Admin => "admin",
        }
    }
}

/// What a caller must get from a route: `Some(status)` for a refusal, `None` for anything
/// that is not a refusal (and not a server error).
fn expected(rule: Rule, caller: &As, keyed: bool) -> Option<u16> {
    match (rule, caller) {
        (Rule::Open, _) => None,
        (Rule::OwnToken, As::Nobody) => Some(401),
        (Rule::OwnToken, _) => None,
        (_, As::Nobody) if keyed => Some(401),
        (_, As::Nobody) => None,
        (Rule::OwnRows, _) => None,
        (Rule::Admin, As::Token(..)) => Some(403),
        (Rule::ActingFor, As::Token(who, _)) if *who == ANN => None,
        (Rule::ActingFor, As::Token(..)) => Some(403),
        (_, As::Admin) => None,
    }
}

/// What the document must say about who may call the route.
fn documented_security(rule: Rule) -> Value {
    match rule {
        Rule::Open => Value::Null,
        Rule::ActingFor | Rule::OwnRows => json!([{}, {"bearer": []}, {"api_key": []}]),
        Rule::Admin => json!([{}, {"api_key": []}]),
        Rule::OwnToken => json!([{"bearer": []}]),
    }
}

async fn sign_up(server: &TestServer, id: &str, keyed: bool) -> String {
    let email = format!("{id}@example.org");
    let password = format!("{id}-password-1");
    let mut request = server.request(Method::POST, "/users").json(&json!({
        "user_id": id, "email": email, "password": password
    }));
    if keyed {
        request = request.header("X-API-Key", KEY);
    }
    let (status, body) = send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = send(server.request(Method::POST, "/auth/token").form(&[
        ("username", email.as_str()),
        ("password", password.as_str()),
    ]))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("a token").to_owned()
}

/// Calls every documented route as every caller and checks the answers against [`RULES`].
async fn check_every_route(keyed: bool) {
    let pipeline_dir = tempfile::tempdir().expect("a folder");
    let mut cfg = config();
    if keyed {
        cfg.api_key = Some(KEY.into());
    }
    cfg.jwt_secret = Some(SECRET.into());
    cfg.pipeline.out_dir = pipeline_dir.path().to_path_buf();
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let server = TestServer::start(cfg, db).await;
    let mode = if keyed { "with a key" } else { "open" };

    let ann = sign_up(&server, ANN, keyed).await;
    let bob = sign_up(&server, BOB, keyed).await;
    // A model version 1 for the registry routes.
    let train = server
        .request(Method::POST, "/training/train")
        .json(&json!({"algorithm": "popularity"}));
    let (status, body) = send(if keyed {
        train.header("X-API-Key", KEY)
    } else {
        train
    })
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    server.wait_for_training().await;

    // The document's routes are exactly the ones with a rule.
    let (status, doc) = server.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let mut documented = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let method = method.to_ascii_uppercase();
            let rule = RULES
                .iter()
                .find(|(m, p, _)| *m == method && p == path)
                .map(|(_, _, rule)| *rule)
                .unwrap_or_else(|| {
                    panic!(
                        "{method} {path} has no access rule in tests/security.rs: add it to \
                         RULES so that its authorization is tested"
                    )
                });
            assert_eq!(
                operation.get("security").cloned().unwrap_or(Value::Null),
                documented_security(rule),
                "{method} {path}: the document's security does not match its rule {rule:?}"
            );
            documented.insert((method, path.clone()));
        }
    }
    for (method, path, _) in RULES {
        assert!(
            documented.contains(&(method.to_string(), path.to_string())),
            "{method} {path} has a rule but is not in /openapi.json"
        );
    }

    // Deletes last, and the user and the users last of all, so that every other route
    // still finds what it names.
    let mut order: Vec<_> = RULES.iter().collect();
    order.sort_by_key(|(method, path, _)| match (*method, *path) {
        ("DELETE", "/users") => 3,
        ("DELETE", "/users/{user_id}") => 2,
        ("DELETE", _) => 1,
        _ => 0,
    });
    let callers = [
        As::Nobody,
        As::Token(BOB, bob),
        As::Token(ANN, ann),
        As::Admin,
    ];
    let mut calls = 0;
    // Once a user's account is deleted (by whoever may), their token is refused
    // everywhere (401).
    let mut deleted = BTreeSet::new();
    for (method, path, rule) in order {
        for caller in &callers {
            // Without a key, an X-API-Key header is itself an error (401) everywhere.
            if !keyed && matches!(caller, As::Admin) {
                continue;
            }
            let method_ = Method::from_bytes(method.as_bytes()).expect("method");
            let mut request = caller.apply(server.request(method_, &fill(path)));
            if *path == "/auth/token" {
                request = request.form(&[
                    ("username", "ann@example.org"),
                    ("password", "ann-password-1"),
                ]);
            } else if let Some(body) = request_body(method, path, caller.name()) {
                request = request.json(&body);
            }
            let response = request.send().await.expect("sending a request");
            let status = response.status();
            let www = response.headers().get(header::WWW_AUTHENTICATE).cloned();
            let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
            let text = response.text().await.unwrap_or_default();
            let who = caller.name();
            let expectation = if deleted.contains(who) {
                Some(401)
            } else {
                expected(*rule, caller, keyed)
            };
            if *method == "DELETE" && status.is_success() {
                match *path {
                    "/users/{user_id}" => deleted.extend([ANN]),
                    "/users" => deleted.extend([ANN, BOB]),
                    _ => {}
                }
            }
            match expectation {
                Some(refusal) => {
                    assert_eq!(
                        status.as_u16(),
                        refusal,
                        "{mode}: {method} {path} as {who} must be refused: {text}"
                    );
                    assert_eq!(
                        content_type.as_ref().and_then(|v| v.to_str().ok()),
                        Some("application/problem+json"),
                        "{mode}: {method} {path} as {who}"
                    );
                    if refusal == 401 {
                        assert!(
                            www.is_some(),
                            "{mode}: {method} {path}: 401 without WWW-Authenticate"
                        );
                    }
                }
                None => assert!(
                    !matches!(status.as_u16(), 401 | 403) && !status.is_server_error(),
                    "{mode}: {method} {path} as {who} must be allowed, got {status}: {text}"
                ),
            }
            calls += 1;
        }
    }
    println!("{mode}: {calls} calls over {} routes", RULES.len());
    server.finish().await;
}

#[tokio::test]
async fn every_route_enforces_its_rule_with_an_admin_key() {
    if common::without_data() {
        return;
    }
    check_every_route(true).await;
}

#[tokio::test]
async fn every_route_enforces_its_rule_without_an_admin_key() {
    if common::without_data() {
        return;
    }
    check_every_route(false).await;
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn expired_tampered_and_unsigned_tokens_are_refused() {
    let mut cfg = config();
    cfg.api_key = Some(KEY.into());
    cfg.jwt_secret = Some(SECRET.into());
    let server = TestServer::start(cfg, sqlite().await).await;
    let ann = sign_up(&server, ANN, true).await;
    sign_up(&server, BOB, true).await;

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let same_key = Tokens::new(Some(SECRET), Duration::from_secs(60));
    let claims = |sub: &str, exp: u64| Claims {
        sub: sub.into(),
        iat: now - 10,
        exp,
        generation: 0,
    };
    let [head, payload, signature] = ann.split('.').collect::<Vec<_>>()[..] else {
        panic!("a JWT has three parts: {ann}");
    };
    let bob_payload = base64url(
        &serde_json::to_vec(&json!({"sub": BOB, "iat": now, "exp": now + 600})).expect("json"),
    );
    let mut flipped = signature.as_bytes().to_vec();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    let none_head = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(ANN, now + 600),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("token");
    let no_exp = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": ANN, "iat": now}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("token");
    let bad: Vec<(&str, String)> = vec![
        (
            "expired a second ago",
            same_key.issue_claims(&claims(ANN, now - 1)).expect("token"),
        ),
        (
            "signed by another secret",
            Tokens::new(
                Some("another-secret-of-some-length"),
                Duration::from_secs(60),
            )
            .issue(ANN, 0)
            .expect("token"),
        ),
        (
            "payload swapped for bob's",
            format!("{head}.{bob_payload}.{signature}"),
        ),
        (
            "signature altered",
            format!(
                "{head}.{payload}.{}",
                String::from_utf8(flipped).expect("ascii")
            ),
        ),
        ("signature removed", format!("{head}.{payload}.")),
        ("alg none", format!("{none_head}.{payload}.")),
        ("HS512 with the right secret", hs512),
        ("no expiry", no_exp),
        ("not a JWT", "not-a-token".into()),
        ("empty", String::new()),
    ];
    for (what, token) in &bad {
        for path in ["/users/me", "/recommendations/ann", "/users/ann"] {
            let (status, body) = send(
                server
                    .request(Method::GET, path)
                    .header("Authorization", format!("Bearer {token}")),
            )
            .await;
            assert_problem(status, &body, 401, None);
            assert!(
                !body.to_string().contains(token.as_str()) || token.is_empty(),
                "{what}: the token is echoed back"
            );
            let _ = what;
        }
    }
    // Other schemes and a key in the wrong header are refused too.
    for value in [format!("Basic {ann}"), format!("Token {ann}"), ann.clone()] {
        let (status, body) = send(
            server
                .request(Method::GET, "/users/me")
                .header("Authorization", value),
        )
        .await;
        assert_problem(status, &body, 401, None);
    }
    let (status, body) = send(server.request(Method::GET, "/users").bearer_auth(KEY)).await;
    assert_problem(status, &body, 401, None);
    // The genuine token still works, and acts for ann only.
    let (status, me) = send(server.request(Method::GET, "/users/me").bearer_auth(&ann)).await;
    assert_eq!(
        (status, me["user_id"].as_str()),
        (StatusCode::OK, Some(ANN)),
        "{me}"
    );
    let (status, body) = send(server.request(Method::GET, "/users/bob").bearer_auth(&ann)).await;
    assert_problem(status, &body, 403, None);
    server.finish().await;
}

/// Every file of the SQLite database (the main file, the WAL and its index).
fn sqlite_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the database folder") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            bytes.extend(std::fs::read(&path).expect("reading a database file"));
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn passwords_are_stored_as_argon2_hashes_and_never_returned() {
    const FIRST: &str = "first-Secret-pw-4711";
    const SECOND: &str = "second-Secret-pw-0815";
    for db in databases().await {
        let sqlite_dir = db.sqlite_dir();
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        let (status, created) = server
            .post(
                "/users",
                json!({"user_id": "pw", "email": "pw@example.org", "password": FIRST}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, changed) = server.put("/users/pw", json!({"password": SECOND})).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        let (status, token) = send(
            server
                .request(Method::POST, "/auth/token")
                .form(&[("username", "pw@example.org"), ("password", SECOND)]),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{token}");

        let store = server.store().expect("the test's store");
        let credentials = store
            .credentials_by_email("pw@example.org")
            .await
            .expect("reading credentials")
            .expect("the account");
        let hash = credentials.password_hash.expect("a hash");
        assert!(hash.starts_with("$argon2id$"), "{name}: {hash}");
        assert!(!hash.contains(FIRST) && !hash.contains(SECOND), "{name}");
        assert!(verify_password(SECOND, &hash) && !verify_password(FIRST, &hash));
        if let Some(dir) = sqlite_dir {
            let bytes = sqlite_bytes(&dir);
            assert!(
                contains(&bytes, "pw@example.org"),
                "the search must see the row"
            );
            for password in [FIRST, SECOND] {
                assert!(
                    !contains(&bytes, password),
                    "{name}: a clear password is on disk"
                );
            }
        }
        // No response carries a password or its hash.
        let bearer = token["access_token"].as_str().expect("token").to_owned();
        for (path, auth) in [
            ("/users/pw", None),
            ("/users", None),
            ("/users/me", Some(&bearer)),
        ] {
            let mut request = server.request(Method::GET, path);
            if let Some(token) = auth {
                request = request.bearer_auth(token);
            }
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            let text = body.to_string();
            for secret in [FIRST, SECOND, "argon2", "password"] {
                assert!(
                    !text.contains(secret),
                    "{name}: {path} shows {secret:?}: {text}"
                );
            }
        }
        for text in [created.to_string(), changed.to_string()] {
            assert!(
                !text.contains("argon2") && !text.contains("password"),
                "{text}"
            );
        }
        server.finish().await;
    }
}

/// Percent-encodes everything but unreserved characters, for a path segment.
fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const HOSTILE: &[&str] = &[
    "Robert'); DROP TABLE users;--",
    "' OR '1'='1",
    "\" OR \"\"=\"",
    "<script>alert(\"x\")</script>&amp;&lt;",
    "<img src=x onerror=alert(1)>",
    "tab\there\r\nnew line\u{1}\u{7}\u{1b}[31mred\u{7f}",
    "\u{202e}reversed \u{200b}zero-width \u{feff}bom",
    "percent %00 %s %n {} $1 ?",
    "back\\slash /slash",
    "日本語 🚀 é",
];

#[tokio::test]
async fn hostile_strings_are_stored_and_returned_verbatim() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        for (k, text) in HOSTILE.iter().enumerate() {
            let id = format!("{k}:{text}");
            // An item whose id, title, description, tags and categories are the string.
            let (status, item) = server
                .post(
                    "/items",
                    json!({"item_id": id, "title": text, "description": text, "tags": [text],
                           "categories": [{"type": "genre", "value": text}]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {text:?}: {item}");
            let (status, got) = server.get(&format!("/items/{}", encode(&id))).await;
            assert_eq!(status, StatusCode::OK, "{name}: {text:?}: {got}");
            assert_eq!(got["item_id"], id.as_str(), "{name}");
            assert_eq!(got["title"], *text, "{name}");
            assert_eq!(got["description"], *text, "{name}");
            assert_eq!(got["tags"], json!([text]), "{name}");

            // A user with the string as id, interests and name, and an interaction.
            let (status, user) = server
                .post(
                    "/users",
                    json!({"user_id": id, "interests": [text], "username": text}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {text:?}: {user}");
            let (status, got) = server.get(&format!("/users/{}", encode(&id))).await;
            assert_eq!(status, StatusCode::OK, "{name}: {got}");
            assert_eq!(got["user_id"], id.as_str(), "{name}");
            assert_eq!(got["interests"], json!([text]), "{name}");
            let (status, stored) = server
                .post(
                    "/interactions",
                    json!({"user_id": id, "item_id": id, "type": "click"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{name}: {text:?}: {stored}");
            let (status, history) = server
                .get(&format!("/users/{}/interactions", encode(&id)))
                .await;
            assert_eq!(status, StatusCode::OK, "{name}: {history}");
            assert_eq!(history["interactions"][0]["item_id"], id.as_str(), "{name}");
            assert_eq!(history["interactions"][0]["title"], *text, "{name}");
        }
        // The tables are all still there.
        let (status, stats) = server.get("/stats").await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(stats["items"], HOSTILE.len(), "{name}: {stats}");
        assert_eq!(stats["users"], HOSTILE.len(), "{name}: {stats}");

        // PostgreSQL cannot store a NUL in text, so both backends refuse it, naming the
        // field, rather than storing it on one and failing on the other.
        let (status, body) = server
            .post("/items", json!({"item_id": "nul", "title": "a\u{0}b"}))
            .await;
        assert_problem(status, &body, 422, Some("title"));
        let (status, body) = server
            .post(
                "/users",
                json!({"user_id": "x", "interests": ["ok", "a\u{0}"]}),
            )
            .await;
        assert_problem(status, &body, 422, Some("interests[1]"));
        let (status, body) = server.get("/users/a%00b").await;
        assert_problem(status, &body, 400, None);
        let (status, body) = server.get("/items/a%FFb").await;
        assert_problem(status, &body, 400, None);
        let (status, body) = server.get("/items?category=a%00").await;
        assert_problem(status, &body, 422, Some("category"));
        let (status, body) = send(server.request(Method::POST, "/auth/token").form(&[
            ("username", "a\u{0}@example.org"),
            ("password", "whatever1"),
        ]))
        .await;
        assert_problem(status, &body, 422, Some("username"));
        server.finish().await;
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let mut cfg = config();
    cfg.body_limit = 16 * 1024;
    cfg.api_key = Some(KEY.into());
    cfg.jwt_secret = Some(SECRET.into());
    let server = TestServer::start(cfg, sqlite().await).await;
    let ann = sign_up(&server, ANN, true).await;

    let ratings = |n: usize| -> Value {
        (0..n)
            .map(|i| json!({"user_id": ANN, "movie_id": format!("m{i}"), "rating": 3}))
            .collect()
    };
    let big = serde_json::to_vec(&ratings(1_000)).expect("json");
    assert!(big.len() > 16 * 1024);
    let padding = "x".repeat(20 * 1024);
    let cases: Vec<(&str, RequestBuilder)> = vec![
        (
            "ratings with a length",
            server
                .request(Method::POST, "/ratings")
                .bearer_auth(&ann)
                .header(header::CONTENT_TYPE, "application/json")
                .body(big.clone()),
        ),
        (
            "a sign-up",
            server
                .request(Method::POST, "/users")
                .json(&json!({"user_id": "big", "username": padding})),
        ),
        (
            "a token form",
            server
                .request(Method::POST, "/auth/token")
                .form(&[("username", padding.as_str()), ("password", "x")]),
        ),
        (
            "an item, as the admin",
            server
                .request(Method::POST, "/items")
                .header("X-API-Key", KEY)
                .json(&json!({"item_id": "big", "description": padding})),
        ),
    ];
    for (what, request) in cases {
        let response = request.send().await.expect("sending");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{what}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{what}"
        );
        let body: Value = response.json().await.expect("a problem");
        assert_problem(StatusCode::PAYLOAD_TOO_LARGE, &body, 413, None);
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("--body-limit"),
            "{what}: {body}"
        );
    }
    let (status_line, rest) = send_chunked(&server.base, "/ratings", &ann, &big).await;
    assert!(status_line.contains(" 413 "), "chunked: {status_line}");
    assert!(
        rest.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "chunked: {rest}"
    );
    // Under the limit, the same request is accepted (the movies do not exist: 404).
    let (status, body) = send(
        server
            .request(Method::POST, "/ratings")
            .bearer_auth(&ann)
            .json(&ratings(10)),
    )
    .await;
    assert_problem(status, &body, 404, None);
    server.finish().await;
}

/// Sends `body` chunked (no Content-Length) over a raw connection and returns the status
/// line and the rest of the response.
async fn send_chunked(base: &str, path: &str, token: &str, body: &[u8]) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connecting");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(4096) {
        request.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend(chunk);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    // The server may answer and close before it has read everything: a failed write is
    // not the test's concern, the answer is.
    let _ = stream.write_all(&request).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (status_line, rest) = text.split_once("\r\n").unwrap_or((&text, ""));
    (status_line.to_owned(), rest.to_owned())
}

/// Signs in, returning the status, the body and the `Retry-After` header.
async fn sign_in(
    server: &TestServer,
    email: &str,
    password: &str,
) -> (StatusCode, Value, Option<String>) {
    let response = server
        .request(Method::POST, "/auth/token")
        .form(&[("username", email), ("password", password)])
        .send()
        .await
        .expect("sending a sign-in");
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        retry_after,
    )
}

async fn as_user(server: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    send(server.request(Method::GET, path).bearer_auth(token)).await
}

#[tokio::test]
async fn tokens_end_with_a_password_change_and_with_their_account() {
    for db in databases().await {
        let mut cfg = config();
        cfg.jwt_secret = Some(SECRET.into());
        let server = TestServer::start(cfg, db).await;
        let name = server.backend.clone();
        let first = sign_up(&server, ANN, false).await;
        let (status, me) = as_user(&server, "/users/me", &first).await;
        assert_eq!(status, StatusCode::OK, "{name}: {me}");

        // A password change ends the tokens issued before it, not the ones after.
        let (status, body) = send(
            server
                .request(Method::PUT, "/users/ann")
                .bearer_auth(&first)
                .json(&json!({"password": "a-new-password-2"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        for path in ["/users/me", "/users/ann", "/recommendations/ann"] {
            let (status, body) = as_user(&server, path, &first).await;
            assert_problem(status, &body, 401, None);
            assert!(
                body["detail"].as_str().unwrap_or("").contains("revoked"),
                "{name}: {path}: {body}"
            );
        }
        let (status, token, _) = sign_in(&server, "ann@example.org", "a-new-password-2").await;
        assert_eq!(status, StatusCode::OK, "{name}: {token}");
        let second = token["access_token"].as_str().expect("a token").to_owned();
        let (status, me) = as_user(&server, "/users/me", &second).await;
        assert_eq!(status, StatusCode::OK, "{name}: {me}");

        // Deleting the account ends its tokens, even once someone else signs up under the
        // same id, with or without a password.
        let (status, body) = send(
            server
                .request(Method::DELETE, "/users/ann")
                .bearer_auth(&second),
        )
        .await;
        assert!(status.is_success(), "{name}: {status}: {body}");
        let (status, body) = as_user(&server, "/users/me", &second).await;
        assert_problem(status, &body, 401, None);
        let (status, body) = server
            .post("/users", json!({"user_id": ANN, "username": "no password"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        let (status, body) = as_user(&server, "/users/ann", &second).await;
        assert_problem(status, &body, 401, None);
        let (status, body) = server.delete("/users/ann").await;
        assert!(status.is_success(), "{name}: {status}: {body}");
        let (status, body) = server
            .post(
                "/users",
                json!({"user_id": ANN, "email": "mallory@example.org", "password": "mallory-pw-1"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        for old in [&first, &second] {
            let (status, body) = as_user(&server, "/users/me", old).await;
            assert_problem(status, &body, 401, None);
            assert!(!body.to_string().contains("mallory"), "{name}: {body}");
        }
        server.finish().await;
    }
}

#[tokio::test]
async fn sign_in_is_limited_per_account_and_per_client_address() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        sign_up(&server, ANN, false).await;
        let mut attempts = 1;

        // Guessing one account's password is stopped after a burst, with a time to wait;
        // the right password waits too.
        let mut limited = None;
        for _ in 0..50 {
            let (status, body, retry_after) =
                sign_in(&server, "ann@example.org", "guess-123").await;
            attempts += 1;
            if status == StatusCode::TOO_MANY_REQUESTS {
                limited = Some((body, retry_after));
                break;
            }
            assert_problem(status, &body, 401, None);
        }
        let (body, retry_after) = limited.unwrap_or_else(|| {
            panic!("{name}: 50 wrong passwords for one account and none answered 429")
        });
        assert_problem(StatusCode::TOO_MANY_REQUESTS, &body, 429, None);
        assert!(
            body["detail"].as_str().unwrap_or("").contains("account"),
            "{body}"
        );
        let wait: u64 = retry_after
            .expect("429 without Retry-After")
            .parse()
            .expect("Retry-After in seconds");
        assert!((1..=60).contains(&wait), "{name}: Retry-After {wait}");
        let (status, body, _) = sign_in(&server, "ann@example.org", "ann-password-1").await;
        assert_problem(status, &body, 429, None);
        attempts += 1;

        // One client trying many accounts is stopped too.
        let mut by_address = None;
        for i in 0..100 {
            let (status, body, retry_after) =
                sign_in(&server, &format!("nobody{i}@example.org"), "guess-123").await;
            attempts += 1;
            if status == StatusCode::TOO_MANY_REQUESTS {
                by_address = Some((body, retry_after));
                break;
            }
            assert_problem(status, &body, 401, None);
        }
        let (body, retry_after) = by_address.unwrap_or_else(|| {
            panic!("{name}: 100 accounts tried from one address and none answered 429")
        });
        assert!(
            body["detail"].as_str().unwrap_or("").contains("address"),
            "{body}"
        );
        assert!(retry_after.is_some(), "{name}: 429 without Retry-After");
        println!("{name}: limited after {attempts} attempts");
        server.finish().await;
    }
}

#[tokio::test]
async fn an_unknown_email_takes_as_long_to_refuse_as_a_wrong_password() {
    for db in databases().await {
        let server = TestServer::start(config(), db).await;
        let name = server.backend.clone();
        sign_up(&server, ANN, false).await;
        // Alternating, so that a slow moment of the machine hits both kinds alike.
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        for i in 0..5 {
            for (email, times) in [
                ("ann@example.org".to_owned(), &mut known),
                (format!("nobody{i}@example.org"), &mut unknown),
            ] {
                let started = std::time::Instant::now();
                let (status, body, _) = sign_in(&server, &email, "wrong-password-1").await;
                times.push(started.elapsed());
                assert_problem(status, &body, 401, None);
            }
        }
        known.sort();
        unknown.sort();
        let (known, unknown) = (known[2], unknown[2]);
        println!(
            "{name}: median refusal {known:?} for a wrong password, {unknown:?} for an unknown email"
        );
        // Both hash once; before, an unknown email was refused 25 times faster.
        assert!(
            unknown * 3 >= known,
            "{name}: an unknown email is refused in {unknown:?}, a wrong password in {known:?}: \
             the difference tells which emails have accounts"
        );
        server.finish().await;
    }
}

#[tokio::test]
async fn numbers_out_of_range_are_422_naming_the_field() {
    let server = TestServer::start(config(), sqlite().await).await;
    let (status, body) = server
        .post(
            "/ratings",
            json!([{"user_id": ANN, "movie_id": "1", "rating": 4},
                   {"user_id": ANN, "movie_id": "2", "rating": 1e39}]),
        )
        .await;
    assert_problem(status, &body, 422, Some("[1].rating"));
    let (status, body) = server
        .post(
            "/recommendations",
            json!({"user_id": ANN, "cf_weight": 1e308}),
        )
        .await;
    assert_problem(status, &body, 422, Some("cf_weight"));
    server.finish().await;
}

/// Sends `request` over a raw connection and returns the status line, the headers
/// (lowercased) and the body of the answer.
async fn send_raw(base: &str, request: Vec<u8>) -> (String, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connecting");
    // The server may answer and close before reading everything.
    let _ = stream.write_all(&request).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (status_line, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (
        status_line.to_owned(),
        headers.to_ascii_lowercase(),
        body.to_owned(),
    )
}

#[tokio::test]
async fn requests_too_large_to_parse_get_problem_documents() {
    let server = TestServer::start(config(), sqlite().await).await;
    let host = server.base.trim_start_matches("http://").to_owned();
    let long_uri = format!("/items?category={}", "a".repeat(70 * 1024));
    let many_headers: String = (0..120).map(|i| format!("X-Filler-{i}: x\r\n")).collect();
    let cases = [
        (
            "a 70 KiB URI",
            format!("GET {long_uri} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
            414,
        ),
        (
            "120 headers",
            format!("GET /health HTTP/1.1\r\nHost: {host}\r\n{many_headers}\r\n"),
            431,
        ),
    ];
    for (what, request, status) in cases {
        let (status_line, headers, body) = send_raw(&server.base, request.into_bytes()).await;
        assert!(
            status_line.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {status_line}"
        );
        assert!(
            headers.contains("content-type: application/problem+json"),
            "{what}: {headers}"
        );
        let problem: Value = serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!("{what}: the body is not a problem document ({e}): {body:?}")
        });
        assert_problem(
            StatusCode::from_u16(status).expect("status"),
            &problem,
            status,
            None,
        );
    }
    // The server goes on answering.
    let (status, body) = server.get("/health").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server.finish().await;
}

#[tokio::test]
async fn pages_of_other_sites_cannot_write_to_an_open_server() {
    if common::without_data() {
        return;
    }
    let db = sqlite().await;
    import_ml100k(&db.store).await;
    let mut cfg = config();
    cfg.allowed_origins = vec!["https://shop.example".into()];
    let server = TestServer::start(cfg, db).await;
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let interaction = r#"{"user_id": "1", "item_id": "7", "type": "click"}"#;

    // What a form or a plain-text fetch sends, without a preflight: refused, 415.
    for (content_type, body) in [
        (Some("text/plain"), interaction.to_owned()),
        (
            Some("application/x-www-form-urlencoded"),
            "user_id=1&item_id=7".to_owned(),
        ),
        (Some("multipart/form-data; boundary=x"), "--x--".to_owned()),
        (None, interaction.to_owned()),
    ] {
        let mut request = server.request(Method::POST, "/interactions").body(body);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let (status, problem) = send(request).await;
        assert_problem(status, &problem, 415, None);
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("application/json")),
            "{content_type:?}: {problem}"
        );
    }
    let json = |origin: Option<&str>| {
        let request = server
            .request(Method::POST, "/interactions")
            .header(header::CONTENT_TYPE, "application/json")
            .body(interaction);
        match origin {
            Some(origin) => request.header(header::ORIGIN, origin),
            None => request,
        }
    };
    assert_eq!(send(json(None)).await.0, StatusCode::CREATED);
    // A write from another site's page carries its Origin: refused; the server's own
    // pages (the dashboard) and the configured origin may.
    let (status, problem) = send(json(Some("http://evil.example"))).await;
    assert_problem(status, &problem, 403, None);
    let own = format!("http://127.0.0.1:{port}");
    assert_eq!(send(json(Some(&own))).await.0, StatusCode::CREATED);
    assert_eq!(
        send(json(Some("https://shop.example"))).await.0,
        StatusCode::CREATED
    );
    // Without a body nothing is declared, and the Origin still tells: a form posted to
    // start a training is refused.
    let (status, problem) = send(
        server
            .request(Method::POST, "/api/ml/train")
            .header(header::ORIGIN, "null"),
    )
    .await;
    assert_problem(status, &problem, 403, None);

    // DNS rebinding: a name that resolves here but is not a loopback name.
    for path in ["/health", "/users"] {
        let (status, problem) = send(
            server
                .request(Method::GET, path)
                .header(header::HOST, format!("rebind.evil.example:{port}")),
        )
        .await;
        assert_problem(status, &problem, 403, None);
    }
    let (status, _) = send(
        server
            .request(Method::GET, "/health")
            .header(header::HOST, format!("localhost:{port}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // CORS preflights are answered for the configured origin only.
    let preflight = |origin: &'static str| {
        server
            .request(Method::OPTIONS, "/interactions")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .send()
    };
    let allowed = preflight("https://shop.example")
        .await
        .expect("a preflight");
    assert_eq!(
        allowed
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .and_then(|v| v.to_str().ok()),
        Some("https://shop.example")
    );
    let other = preflight("http://evil.example").await.expect("a preflight");
    assert!(
        other
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "{:?}",
        other.headers()
    );
    server.finish().await;
}

#[tokio::test]
async fn without_configured_origins_no_preflight_is_answered() {
    let server = TestServer::start(config(), sqlite().await).await;
    let response = server
        .request(Method::OPTIONS, "/interactions")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .send()
        .await
        .expect("a preflight");
    assert!(
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    assert!(!response.status().is_success(), "{}", response.status());
    server.finish().await;
}

/// Reads until the server closes the connection; `None` if it is still open after `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// `/health` answers three times in a row, each within 5 s.
async fn health_answers_promptly(server: &TestServer) {
    for _ in 0..3 {
        let answered = tokio::time::timeout(Duration::from_secs(5), server.get("/health")).await;
        let (status, body) = answered.expect("/health answered within 5 s");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_and_newcomers_get_room() {
    use orrery_server::connections::ConnectionLimits;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;

    let mut cfg = config();
    cfg.connections = ConnectionLimits {
        max_connections: 50,
        idle_timeout: Duration::from_secs(1),
        header_timeout: Duration::from_secs(1),
    };
    let server = TestServer::start(cfg, sqlite().await).await;
    let addr = server.base.trim_start_matches("http://").to_owned();

    // A connection that never sends anything is closed after the idle timeout.
    let started = std::time::Instant::now();
    let mut idle = TcpStream::connect(&addr).await.expect("connecting");
    assert!(
        closed_within(&mut idle, Duration::from_secs(10))
            .await
            .is_some()
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "closed too early: {took:?}"
    );

    // After an answer, a kept-alive connection waits for the next request only as long.
    let mut kept = TcpStream::connect(&addr).await.expect("connecting");
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .expect("writing");
    let answer = closed_within(&mut kept, Duration::from_secs(10))
        .await
        .expect("closed after its idle timeout");
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    // A header sent a byte at a time is cut off, unanswered, after the header timeout,
    // although bytes keep arriving.
    let mut slow = TcpStream::connect(&addr).await.expect("connecting");
    slow.write_all(b"GET /health HTTP/1.1\r\n")
        .await
        .expect("writing");
    let started = std::time::Instant::now();
    let mut cut = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if slow.write_all(b"X").await.is_err() {
            cut = true;
            break;
        }
    }
    let rest = closed_within(&mut slow, Duration::from_secs(5)).await;
    assert!(cut || rest.is_some(), "a slow header kept its connection");
    assert!(started.elapsed() < Duration::from_secs(5));

    // Four times the limit in idle connections: a newcomer still gets an answer, as one
    // idle connection is closed for it.
    let mut held = Vec::new();
    for _ in 0..200 {
        held.push(TcpStream::connect(&addr).await.expect("connecting"));
    }
    health_answers_promptly(&server).await;
    drop(held);
    server.finish().await;
}

#[tokio::test]
async fn health_answers_under_a_thousand_idle_connections() {
    let server = TestServer::start(config(), sqlite().await).await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..1_000 {
        held.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connecting"),
        );
    }
    health_answers_promptly(&server).await;
    drop(held);
    server.finish().await;
}
