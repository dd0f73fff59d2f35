//! The request-body target's harness, shared with the stable replay test in
//! `crates/orrery-server/tests/fuzz_replay.rs` (which includes this file by path):
//! [`http`] sends the input as the body (or query) of one of the API's routes through the
//! real router over a small SQLite database; every answer must be below 500, and every
//! error a problem document.

#![allow(dead_code)]

use std::sync::OnceLock;

use orrery_data::import::{Import, ImportOptions};

/// The routes [`http`] sends to: the method, the path (`{}` is the input's argument) and
/// whether the input is a form rather than JSON. Routes that start long background work
/// (training, the pipeline) or delete in bulk are left out.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/users"),
    ("PUT", "/users/{}"),
    ("POST", "/items"),
    ("PUT", "/items/{}"),
    ("POST", "/content"),
    ("PUT", "/content/{}"),
    ("POST", "/movies"),
    ("PUT", "/movies/{}"),
    ("POST", "/interactions"),
    ("POST", "/ratings"),
    ("POST", "/recommendations/interact"),
    ("POST", "/recommendations/feedback"),
    ("POST", "/recommendations"),
    ("POST", "/recommendations/cold-start"),
    ("POST", "/predict"),
    ("POST", "/api/ml/predict"),
    ("POST", "/auth/token"),
    ("GET", "/recommendations/{}"),
    ("GET", "/api/ml/recommendations/{}"),
    ("GET", "/items"),
    ("GET", "/content"),
    ("GET", "/movies"),
    ("GET", "/users"),
    ("GET", "/items/{}"),
    ("GET", "/items/{}/similar"),
    ("GET", "/content/category/{}"),
    ("GET", "/users/{}/interactions"),
    ("GET", "/explain/{}/i1"),
    ("GET", "/recommendations/onboarding-movies"),
    ("GET", "/training/runs"),
    ("GET", "/metrics/history"),
    ("GET", "/stats/interactions-per-day"),
];

/// Content types the body is declared as.
const CONTENT_TYPES: &[Option<&str>] = &[
    Some("application/json"),
    Some("application/x-www-form-urlencoded"),
    None,
    Some("text/plain; charset=utf-8"),
    Some("application/merge-patch+json"),
    Some("multipart/form-data; boundary=x"),
];

struct Service {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

/// One server state over a small SQLite catalog, built once per process.
fn service() -> &'static Service {
    static SERVICE: OnceLock<Service> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = std::env::temp_dir().join(format!("orrery-fuzz-http-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder");
        let seed = dir.join("seed.csv");
        std::fs::write(
            &seed,
            "user,item,rating,timestamp\nu1,i1,4,1700000000\nu1,i2,3,1700000100\n\
             u2,i1,5,1700000200\nu2,i3,2,1700000300\nu3,i2,4,1700000400\n",
        )
        .expect("writing the seed");
        let router = runtime.block_on(async {
            let url = format!("sqlite://{}", dir.join("fuzz.db").display());
            let store = orrery_store::Store::connect(&url).await.expect("SQLite");
            let records: Vec<_> = Import::open(&seed, &ImportOptions::default())
                .expect("the seed")
                .collect::<Result<_, _>>()
                .expect("the seed's records");
            let mut tx = store.begin_import().await.expect("an import");
            tx.write(&records).await.expect("writing the seed");
            tx.commit().await.expect("committing the seed");
            let config = orrery_server::ServerConfig {
                bind: "127.0.0.1:0".parse().expect("an address"),
                body_limit: 64 * 1024,
                registry_poll: None,
                ..Default::default()
            };
            let server = orrery_server::Server::bind(config, store)
                .await
                .expect("the server state");
            orrery_server::routes::router(server.state().clone())
        });
        Service { runtime, router }
    })
}

/// Percent-encodes every byte but unreserved ones and, when `query`, `=` and `&`.
fn encode(bytes: &[u8], query: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (query && b"=&".contains(&b)) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends `data` to one route: the first byte picks the route, the second the declared
/// content type; the rest up to the first newline is the path argument, the remainder
/// the body (the query of a GET).
pub fn http(data: &[u8]) {
    use tower::ServiceExt;
    let [route, content_type, rest @ ..] = data else {
        return;
    };
    let (method, template) = ROUTES[*route as usize % ROUTES.len()];
    let (arg, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&b"u1"[..], rest),
    };
    let mut uri = template.replace("{}", &encode(arg, false));
    let mut request = axum::http::Request::builder().method(method);
    let body = if method == "GET" {
        uri.push('?');
        uri.push_str(&encode(body, true));
        Vec::new()
    } else {
        if let Some(ct) = CONTENT_TYPES[*content_type as usize % CONTENT_TYPES.len()] {
            request = request.header("content-type", ct);
        }
        body.to_vec()
    };
    let request = request
        .uri(uri.as_str())
        .body(axum::body::Body::from(body))
        .expect("a request");
    let service = service();
    let response = service
        .runtime
        .block_on(service.router.clone().oneshot(request))
        .expect("the router is infallible");
    let status = response.status();
    assert!(
        status.as_u16() < 500,
        "{method} {uri} answered {status}: {:?}",
        service
            .runtime
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
    );
    if status.as_u16() >= 400 {
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{method} {uri} answered {status} without a problem document"
        );
    }
}
