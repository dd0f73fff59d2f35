//! Helpers for running the real `orrery` binary against real databases.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};

use std::process::{Child, Command, Output, Stdio};

#[path = "../../../orrery-data/tests/support/shared_data.rs"]
mod support;
#[allow(unused_imports)] // each test crate uses its own part
pub use support::{shared_data, without_data};

/// A database for one test: a SQLite file in a temporary folder, or a fresh PostgreSQL
/// database dropped at the end.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("orrery.db").display());
        TestDb {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// `None` (and a note on stderr) when `ORRERY_TEST_POSTGRES_URL` is not set.
    pub fn postgres() -> Option<TestDb> {
        let Ok(admin) = std::env::var("ORRERY_TEST_POSTGRES_URL") else {
            eprintln!("skipped: ORRERY_TEST_POSTGRES_URL not set");
            return None;
        };
        let name = format!("orrery_cli_{:016x}", rand::random::<u64>());
        run_sql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(TestDb {
            url: format!("{base}/{name}"),
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// Both backends: SQLite always, PostgreSQL when configured.
    pub fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres());
        dbs
    }

    /// Runs `orrery --database-url URL ARGS…`.
    pub fn orrery(&self, args: &[&str]) -> Output {
        orrery_command(&self.url, args).output().unwrap()
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.orrery(args);
        assert!(
            out.status.success(),
            "orrery {args:?} failed on {}:\n{}",
            self.url,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `orrery stats --json`, parsed.
    pub fn stats(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["stats", "--json"])).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            run_sql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

pub fn orrery_command(url: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orrery"));
    cmd.arg("--database-url").arg(url).args(args);
    cmd.env_remove("DATABASE_URL")
        .env_remove("ORRERY_DATABASE_URL");
    cmd
}

fn run_sql(url: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// The counts the issue names for a dataset, as `stats --json` reports them.
pub fn assert_counts(stats: &serde_json::Value, expected: [u64; 5]) {
    let got = [
        "users",
        "active_users",
        "items",
        "rated_items",
        "interactions",
    ]
    .map(|k| {
        stats[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {stats}"))
    });
    assert_eq!(
        got, expected,
        "users, active_users, items, rated_items, interactions"
    );
}

/// A child process, killed when the test ends, passed or failed.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `orrery --database-url URL serve --bind 127.0.0.1:0 EXTRA…` and returns the child
/// with the base URL it announced on stderr; the rest of its log is drained so that the
/// server never blocks on a full pipe.
pub fn spawn_server(url: &str, extra: &[&str]) -> (Child, String) {
    let (server, base, _) = spawn_server_with_log(url, extra);
    (server, base)
}

/// [`spawn_server`], with the lines the server logged before it announced its address.
pub fn spawn_server_with_log(url: &str, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut server = orrery_command(url, &args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut log = Vec::new();
    let base = loop {
        let line = lines
            .next()
            .expect("the server ended before it announced its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("orrery serving on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        log.push(line);
    };
    std::thread::spawn(move || lines.for_each(drop));
    (server, base, log)
}
