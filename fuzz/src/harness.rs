//! What the fuzz targets run, shared with the stable replay test in
//! `crates/orrery-server/tests/fuzz_replay.rs` (which includes this file by path).
//!
//! - [`import`] writes the input as the files of a dataset layout and reads them with
//!   `orrery_data::import::Import`: every input must end in records or in an error that
//!   names what is wrong, never in a panic.
//! - [`http`] sends the input as the body (or query) of one of the API's routes through
//!   the real router over a small SQLite database: every answer must be below 500, and
//!   every error a problem document.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use orrery_data::import::{Entity, Format, Import, ImportOptions};

/// Separates the files of one input (ASCII record separator), so that one byte string
/// can hold a whole dataset folder.
pub const FILE_SEPARATOR: u8 = 0x1e;

/// The dataset layouts the importers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MovieLens 100K, 1M, 10M, CSV releases and single ratings files; the first byte
    /// picks which.
    MovieLens,
    /// HetRec 2011 Last.fm.
    HetRec,
    /// The Poppy Universe CSV.
    Poppy,
    /// Generic CSV or JSONL; the first byte picks the format and the entity.
    Generic,
}

/// The files of each variant of a layout, in the order the input holds them, and the
/// format to force (`None`: detect from the files, as `orrery import` does).
fn variant(
    layout: Layout,
    selector: u8,
) -> (&'static [&'static str], Option<Format>, Option<Entity>) {
    match layout {
        Layout::MovieLens => match selector % 7 {
            0 => (&["u.data", "u.item", "u.user"], None, None),
            1 => (
                &["ratings.dat", "movies.dat", "users.dat"],
                Some(Format::MovieLens1m),
                None,
            ),
            2 => (
                &["ratings.dat", "movies.dat", "tags.dat"],
                Some(Format::MovieLens10m),
                None,
            ),
            3 => (
                &["ratings.csv", "movies.csv", "tags.csv"],
                Some(Format::MovieLensCsv),
                None,
            ),
            4 => (&["u1.base"], None, None),
            5 => (&["ratings.dat"], Some(Format::RatingsFile), None),
            _ => (&["ratings.csv"], Some(Format::RatingsFile), None),
        },
        Layout::HetRec => (
            &[
                "user_artists.dat",
                "artists.dat",
                "tags.dat",
                "user_taggedartists.dat",
            ],
            None,
            None,
        ),
        Layout::Poppy => (&["NN_Semantic_Interactions.csv"], Some(Format::Poppy), None),
        Layout::Generic => {
            let entity = match selector / 2 % 4 {
                0 => None,
                1 => Some(Entity::Users),
                2 => Some(Entity::Items),
                _ => Some(Entity::Interactions),
            };
            if selector % 2 == 0 {
                (&["data.csv"], Some(Format::Csv), entity)
            } else {
                (&["data.jsonl"], Some(Format::Jsonl), entity)
            }
        }
    }
}

/// A folder of this process for the files of one input (reused: inputs run one at a time
/// per thread).
fn scratch() -> PathBuf {
    thread_local! {
        static DIR: PathBuf = {
            let dir = std::env::temp_dir().join(format!(
                "orrery-fuzz-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).expect("a scratch folder");
            dir
        };
    }
    DIR.with(|d| d.clone())
}

/// Reads `data` as a dataset of `layout`: the first byte picks the variant, the rest is
/// the files separated by [`FILE_SEPARATOR`].
pub fn import(layout: Layout, data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (names, format, entity) = variant(layout, selector);
    let dir = scratch();
    for entry in std::fs::read_dir(&dir)
        .expect("the scratch folder")
        .flatten()
    {
        let _ = std::fs::remove_file(entry.path());
    }
    let mut parts = rest.split(|b| *b == FILE_SEPARATOR);
    for name in names {
        std::fs::write(dir.join(name), parts.next().unwrap_or_default()).expect("writing");
    }
    let target: &Path = if names.len() == 1 {
        &dir.join(names[0])
    } else {
        &dir
    };
    let options = ImportOptions { format, entity };
    match Import::open(target, &options) {
        Ok(records) => {
            for record in records {
                if let Err(e) = record {
                    assert!(!e.to_string().is_empty(), "an error without a message");
                    break;
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
    }
}

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
