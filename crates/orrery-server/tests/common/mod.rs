//! Shared support for the end-to-end tests: a real server on 127.0.0.1 with an ephemeral
//! port over a fresh database (SQLite always, PostgreSQL when `ORRERY_TEST_POSTGRES_URL` is
//! set), an HTTP client, and the shared datasets.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use orrery_core::Record;
use orrery_data::import::{Import, ImportOptions};
use orrery_server::{Server, ServerConfig};
use orrery_store::{Store, connect_isolated_postgres, drop_postgres_schema};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A fresh database owned by one test.
pub struct TestDb {
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(TempDir),
    Schema { base_url: String, schema: String },
}

impl TestDb {
    /// `sqlite` or `postgres`.
    pub fn name(&self) -> String {
        self.store.backend().to_string()
    }

    /// The folder of a SQLite database (`None` on PostgreSQL), to read its files.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        match &self.cleanup {
            Cleanup::Dir(dir) => Some(dir.path().to_path_buf()),
            Cleanup::Schema { .. } => None,
        }
    }
}

/// SQLite in a temporary folder, plus a PostgreSQL schema when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    match std::env::var("ORRERY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let (store, schema) = connect_isolated_postgres(&url)
                .await
                .expect("connecting to ORRERY_TEST_POSTGRES_URL");
            dbs.push(TestDb {
                store,
                cleanup: Cleanup::Schema {
                    base_url: url,
                    schema,
                },
            });
        }
        _ => println!("skipped: ORRERY_TEST_POSTGRES_URL not set"),
    }
    dbs
}

/// A fresh SQLite database.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let url = format!("sqlite://{}/orrery.db", dir.path().display());
    let store = Store::connect(&url).await.expect("opening SQLite");
    TestDb {
        store,
        cleanup: Cleanup::Dir(dir),
    }
}

#[path = "../../../orrery-data/tests/support/shared_data.rs"]
mod support;
#[allow(unused_imports)] // each test crate uses its own part
pub use support::{shared_data, without_data};

/// Imports MovieLens 100K (943 users, 1,682 movies, 100,000 ratings) into `store`.
pub async fn import_ml100k(store: &Store) {
    let path = shared_data().join("ml-100k");
    let records: Vec<Record> = Import::open(&path, &ImportOptions::default())
        .expect("opening ml-100k")
        .collect::<Result<_, _>>()
        .expect("reading ml-100k");
    let mut tx = store.begin_import().await.expect("starting the import");
    for batch in records.chunks(20_000) {
        tx.write(batch).await.expect("importing ml-100k");
    }
    tx.commit().await.expect("committing ml-100k");
}

/// A running server and a client for it.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    db: Option<TestDb>,
}

/// A configuration on 127.0.0.1 with an ephemeral port.
pub fn config() -> ServerConfig {
    ServerConfig {
        bind: "127.0.0.1:0".parse().expect("address"),
        ..ServerConfig::default()
    }
}

impl TestServer {
    /// Starts a server with `config` over `db`.
    pub async fn start(config: ServerConfig, db: TestDb) -> TestServer {
        let server = Server::bind(config, db.store.clone())
            .await
            .expect("starting the server");
        let base = format!("http://{}", server.local_addr());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestServer {
            base,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
            backend: db.name(),
            shutdown: Some(tx),
            task: Some(task),
            db: Some(db),
        }
    }

    /// Starts a second server with `config` over the database of a running one (it does
    /// not remove the database when it finishes).
    pub async fn start_beside(config: ServerConfig, store: Store) -> TestServer {
        let server = Server::bind(config, store.clone())
            .await
            .expect("starting the server");
        let base = format!("http://{}", server.local_addr());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestServer {
            base,
            client: reqwest::Client::new(),
            backend: store.backend().to_string(),
            shutdown: Some(tx),
            task: Some(task),
            db: None,
        }
    }

    /// A connection of its own to this server's database, as another process would
    /// open: changes announced through it reach this server, and the other way round.
    pub async fn second_store(&self) -> Store {
        let db = self.db.as_ref().expect("a server that owns its database");
        let url = match &db.cleanup {
            Cleanup::Dir(dir) => format!("sqlite://{}/orrery.db", dir.path().display()),
            Cleanup::Schema { base_url, schema } => {
                let separator = if base_url.contains('?') { '&' } else { '?' };
                format!("{base_url}{separator}options=-c%20search_path%3D{schema}")
            }
        };
        Store::connect(&url)
            .await
            .expect("connecting a second time")
    }

    /// The database of this server.
    pub fn store(&self) -> Option<Store> {
        self.db.as_ref().map(|db| db.store.clone())
    }

    /// A request to `path`.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
    }

    /// GET `path`, returning the status and the JSON body.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.request(Method::GET, path)).await
    }

    /// POST JSON to `path`.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.request(Method::POST, path).json(&body)).await
    }

    /// PUT JSON to `path`.
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.request(Method::PUT, path).json(&body)).await
    }

    /// DELETE `path`.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.request(Method::DELETE, path)).await
    }

    /// Waits until no training runs and returns the last result.
    pub async fn wait_for_training(&self) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self.get("/training/status").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if body["running"] == false && !body["last"].is_null() {
                return body["last"].clone();
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "training did not finish: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `items` items are embedded and none is pending; returns the text
    /// encoder's part of `/health`.
    pub async fn wait_for_embeddings(&self, items: usize) -> Value {
        let started = Instant::now();
        loop {
            let (status, health) = self.get("/health").await;
            assert_eq!(status, StatusCode::OK, "{health}");
            let encoder = &health["text_encoder"];
            if encoder["items_pending"] == 0 && encoder["items_embedded"] == items {
                return encoder.clone();
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "the catalog was not embedded: {health}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Trains (admin request built by `auth`), waits, and returns the finished run.
    pub async fn train(&self, body: Value) -> Value {
        let (status, accepted) = self.post("/training/train", body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
        let last = self.wait_for_training().await;
        assert_eq!(last["run_id"], accepted["run_id"], "{last}");
        assert_eq!(last["status"], "succeeded", "{last}");
        last
    }

    /// Stops the server and removes the database.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task")
                .expect("server stopped cleanly");
        }
        if let Some(db) = self.db.take() {
            db.store.close().await;
            if let Cleanup::Schema { base_url, schema } = db.cleanup {
                drop_postgres_schema(&base_url, &schema)
                    .await
                    .expect("dropping the test schema");
            }
        }
    }
}

/// Sends a request and reads the JSON body (`Null` when empty or not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response: Response = request.send().await.expect("sending a request");
    let status = response.status();
    let text = response.text().await.expect("reading a response");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts a problem document with `status`, naming `field` when given.
pub fn assert_problem(status: StatusCode, body: &Value, expected: u16, field: Option<&str>) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
}
