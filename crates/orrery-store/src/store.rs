//! [`Store`]: the handle every other part of Orrery holds to reach the database.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use orrery_core::{Dataset, EventWeights};
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use tokio::sync::Semaphore;

use crate::Error;
use crate::error::Context;
use crate::import::{ImportTx, Write};
use crate::load::{self, Snapshot, Stats};
use crate::postgres::{self, PostgresImport};
use crate::sqlite::{self, SqliteImport};
use crate::url::{Target, mask_password};

/// Runs the same code on whichever pool the store has, compiled once per backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// A connection pool to SQLite or PostgreSQL with the schema migrated. Cloning is cheap
/// and clones share the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Admits one SQLite write transaction of this process at a time. SQLite has one
    /// writer; without the gate, concurrent writers collide on its lock and back off in
    /// its busy handler by sleeping (1, 2, 5, 10 ms…), while here they queue and start
    /// the moment the previous one commits.
    pub(crate) sqlite_writes: Arc<Semaphore>,
    /// Names this process's change announcements, so that it skips its own when it reads
    /// them back (SQLite's change log).
    pub(crate) origin: i64,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Store {
    /// Where the embedded database lives unless told otherwise.
    pub const DEFAULT_URL: &'static str = "sqlite://orrery-data/orrery.db";

    /// Connects to `url` and applies the schema migrations that are missing.
    ///
    /// Accepts `sqlite://PATH`, `sqlite:PATH`, a bare file path ending in `.db` or `.sqlite`,
    /// and `postgres://…`/`postgresql://…`. For SQLite the folder and the file are created
    /// when missing, and the database runs in WAL mode with `synchronous=NORMAL`, foreign
    /// keys on and a busy timeout, so that readers never block the writer.
    pub async fn connect(url: &str) -> Result<Store, Error> {
        let pool = match crate::url::parse(url)? {
            Target::Sqlite(options) => Pool::Sqlite(sqlite::connect(options, url).await?),
            Target::Postgres(options) => Pool::Postgres(postgres::connect(options, url).await?),
        };
        Ok(Store::of(pool))
    }

    /// The database file of an SQLite URL (`sqlite://orrery-data/orrery.db` →
    /// `orrery-data/orrery.db`), or `None` when the URL names no file: PostgreSQL, an
    /// in-memory database, or a URL that [`Store::connect`] would refuse.
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        crate::url::sqlite_file(url)
    }

    fn of(pool: Pool) -> Store {
        Store {
            pool,
            sqlite_writes: Arc::new(Semaphore::new(1)),
            origin: rand::random::<i64>(),
        }
    }

    /// Which engine this store talks to.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts an import: one transaction for all the batches written through it.
    ///
    /// Imports write one at a time: on SQLite the transaction takes the database's write
    /// lock at once (`BEGIN IMMEDIATE`), and a second import waits for the first, up to
    /// the busy timeout. On PostgreSQL an import into an empty `interactions` table (an
    /// initial load) locks that table until it commits, so that it can check foreign keys
    /// in bulk; other imports run side by side.
    pub async fn begin_import(&self) -> Result<ImportTx, Error> {
        self.begin(Write::Bulk).await
    }

    /// Starts a transaction for a few records, as the API writes them: like
    /// [`begin_import`](Self::begin_import), but on PostgreSQL it never takes the
    /// initial-load path, so it locks only the rows it writes.
    pub async fn begin_write(&self) -> Result<ImportTx, Error> {
        self.begin(Write::Single).await
    }

    async fn begin(&self, write: Write) -> Result<ImportTx, Error> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                // A writer that waited as long as SQLite itself would wait goes on without
                // its turn: SQLite's own lock then decides, as for another process.
                let turn = self.sqlite_writes.clone().acquire_owned();
                let turn = tokio::time::timeout(sqlite::BUSY_TIMEOUT, turn)
                    .await
                    .ok()
                    .and_then(Result::ok);
                ImportTx::sqlite(SqliteImport::begin(pool, turn).await?)
            }
            Pool::Postgres(pool) => ImportTx::postgres(PostgresImport::begin(pool, write).await?),
        })
    }

    /// Counts of users, items and interactions.
    pub async fn stats(&self) -> Result<Stats, Error> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut conn = pool.acquire().await.context("computing statistics")?;
                load::stats::<sqlx::Sqlite>(&mut conn).await
            }
            Pool::Postgres(pool) => {
                let mut conn = pool.acquire().await.context("computing statistics")?;
                load::stats::<sqlx::Postgres>(&mut conn).await
            }
        }
    }

    /// A snapshot of everything stored, as a [`Dataset`] weighted by `weights`.
    ///
    /// The snapshot is consistent: it is read inside one transaction, so concurrent
    /// imports are either wholly in it or not at all. Dense indices follow the order in
    /// which users and items were first stored, so the same database always gives the same
    /// indices. Users and items without interactions are included.
    pub async fn load_dataset(&self, weights: &EventWeights) -> Result<Dataset, Error> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool.begin().await.context("starting to load the dataset")?;
                let mut snapshot = Snapshot::start::<sqlx::Sqlite>(&mut tx, weights).await?;
                sqlite::each_interaction(&mut tx, |user, item, kind, value, ts| {
                    snapshot.add_interaction(user, item, kind, value, ts)
                })
                .await?;
                tx.rollback()
                    .await
                    .context("finishing loading the dataset")?;
                Ok(snapshot.finish())
            }
            Pool::Postgres(pool) => {
                let mut tx = pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
                    .context("starting to load the dataset")?;
                let mut snapshot = Snapshot::start::<sqlx::Postgres>(&mut tx, weights).await?;
                snapshot
                    .read_interactions::<sqlx::Postgres>(&mut tx)
                    .await?;
                tx.rollback()
                    .await
                    .context("finishing loading the dataset")?;
                Ok(snapshot.finish())
            }
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Connects to a fresh, empty schema of the PostgreSQL database at `url`, made for this
/// call alone, and returns the store with the schema's name.
///
/// Tests use it to run in parallel against one server without seeing each other's rows;
/// drop the schema with [`drop_postgres_schema`] when done.
pub async fn connect_isolated_postgres(url: &str) -> Result<(Store, String), Error> {
    let options = postgres_options(url)?;
    let schema = unique_schema_name();
    let mut admin = options.connect().await.map_err(|source| Error::Connect {
        hint: postgres::POSTGRES_HINT,
        backend: Backend::Postgres,
        url: mask_password(url),
        source,
    })?;
    admin
        .execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .context("creating a schema")?;
    admin.close().await.context("closing the connection")?;
    let options = options.options([("search_path", schema.as_str())]);
    let pool = postgres::connect(options, url).await?;
    Ok((Store::of(Pool::Postgres(pool)), schema))
}

/// Drops a schema made by [`connect_isolated_postgres`], with everything in it.
pub async fn drop_postgres_schema(url: &str, schema: &str) -> Result<(), Error> {
    let is_ours = schema.starts_with("t_")
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !is_ours {
        return Err(Error::InvalidUrl {
            url: mask_password(url),
            reason: format!("{schema:?} is not a schema made by connect_isolated_postgres"),
        });
    }
    let mut admin = postgres_options(url)?
        .connect()
        .await
        .map_err(|source| Error::Connect {
            hint: postgres::POSTGRES_HINT,
            backend: Backend::Postgres,
            url: mask_password(url),
            source,
        })?;
    admin
        .execute(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .await
        .context("dropping a schema")?;
    admin.close().await.context("closing the connection")
}

fn postgres_options(url: &str) -> Result<PgConnectOptions, Error> {
    match crate::url::parse(url)? {
        Target::Postgres(options) => Ok(options),
        Target::Sqlite(_) => Err(Error::InvalidUrl {
            url: mask_password(url),
            reason: "a PostgreSQL URL is needed here".into(),
        }),
    }
}

/// `t_<pid>_<time>_<counter>`: unique across processes and calls, and a plain identifier.
fn unique_schema_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "t_{}_{:x}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
