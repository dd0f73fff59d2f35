//! SQLite: opening the file, and the import statements.
//!
//! SQLite has no array parameters, so bulk writes are multi-row `INSERT … VALUES` statements
//! with thousands of bound parameters each (the limit is 32,766). Their text is built once per
//! row count and kept, so the connection's statement cache prepares each shape once. Lists
//! of ids travel as one JSON array parameter read back with `json_each`.

mod scan;

pub(crate) use scan::each_interaction;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Sqlite, Transaction};
use tokio::sync::OwnedSemaphorePermit;

use crate::columns::{ItemColumns, UserColumns};
use crate::error::Context;
use crate::import::{CategoryRow, Entity, ImportStatements, InteractionRow};
use crate::{Backend, Error};

/// How long a connection waits for another writer before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Page cache per connection, in KiB (SQLite reads negative sizes as KiB). Index pages of a
/// million-row import fit, so inserts do not thrash the cache.
const CACHE_KIB: i64 = 64 * 1024;
/// How much of the file each connection reads through a memory map instead of `read`
/// calls. A user's history is a few hundred pages scattered over a large file, mostly
/// outside the page cache above: each was a system call and a copy, a fifth of a cold
/// list's time at 20 million interactions. This is SQLite's default ceiling (just under
/// 2 GiB; a larger file reads the rest as before). Address space only: the kernel's page
/// cache holds the pages either way, though they now count in the process's resident size.
const MMAP_BYTES: u64 = 0x7fff_0000;
/// Rows per multi-row statement, each under SQLite's 32,766 bound parameters.
const USER_ROWS: usize = 1_000; // 10 parameters a row
const ITEM_ROWS: usize = 1_000; // 8 parameters a row
const CATEGORY_ROWS: usize = 2_000; // 4 parameters a row
const INTERACTION_ROWS: usize = 2_000; // 5 parameters a row

/// Opens (creating if needed) the database file and brings its schema up to date.
pub(crate) async fn connect(options: SqliteConnectOptions, url: &str) -> Result<SqlitePool, Error> {
    if let Some(dir) = options
        .get_filename()
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        create_dir(dir)?;
    }
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("cache_size", format!("-{CACHE_KIB}"))
        .pragma("mmap_size", MMAP_BYTES.to_string())
        // A multi-row insert keeps the pages it changes in a statement journal, which
        // spills to a temporary file past 64 KiB: in memory, a batch of recorded lists
        // costs no file writes but the WAL's.
        .pragma("temp_store", "memory");
    let connect_error = |source| Error::Connect {
        hint: "check that the file is an SQLite database and that its folder is writable",
        backend: Backend::Sqlite,
        url: crate::url::mask_password(url),
        source,
    };
    // One connection first: the pool retries failed connections until its acquire
    // timeout and then reports only the timeout, while this says what is wrong at once.
    first_connection(&options)
        .await
        .map_err(connect_error)?
        .close()
        .await
        .map_err(connect_error)?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Opens one connection, waiting out another process that holds the file's lock.
///
/// Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
/// locked" at once, without its busy handler, when waiting could deadlock: while another
/// process creating the same file is inside its migration transaction. That process is
/// done within moments, so retry until the busy timeout instead of failing.
async fn first_connection(
    options: &SqliteConnectOptions,
) -> Result<sqlx::SqliteConnection, sqlx::Error> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        match options.connect().await {
            Err(sqlx::Error::Database(e))
                if is_locked(e.code().as_deref()) && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// SQLITE_BUSY (5) and SQLITE_LOCKED (6), with or without an extended code.
fn is_locked(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

/// Applies the missing migrations, safe against other processes opening the same file.
///
/// sqlx takes no lock on SQLite, so two processes creating one new file both found the
/// schema missing and both ran the first migration, and the second failed on "table users
/// already exists". Migrating inside one `BEGIN IMMEDIATE` transaction holds the file's
/// write lock from the check to the last migration: the second process waits (up to the
/// busy timeout), then finds everything applied. The lock is taken only when a migration
/// is missing, so opening an up-to-date database never waits for a long import.
async fn migrate(pool: &SqlitePool) -> Result<(), Error> {
    let migrator = sqlx::migrate!("./migrations/sqlite");
    let migrate_error = |source| Error::Migrate {
        backend: Backend::Sqlite,
        source,
    };
    // Exactly these migrations, unchanged, means nothing to do; anything else (no table
    // yet, one missing, one from a newer Orrery, one edited) is for the migrator to apply
    // or to refuse, under the lock.
    let applied: Vec<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await
    .unwrap_or_default();
    let ours = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, m.checksum.as_ref()));
    if applied.iter().map(|(v, c)| (*v, c.as_slice())).eq(ours) {
        return Ok(());
    }
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .context("locking the database to migrate its schema")?;
    // Each migration's own transaction nests in this one as a savepoint.
    migrator.run(&mut *tx).await.map_err(migrate_error)?;
    tx.commit()
        .await
        .context("committing the schema migrations")
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::CreateDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// The statement shapes whose text depends on the number of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    UpsertUsers,
    UpsertItems,
    InsertCategories,
    InsertInteractions,
}

impl Shape {
    fn params_per_row(self) -> usize {
        match self {
            Shape::UpsertUsers => 10,
            Shape::UpsertItems => 8,
            Shape::InsertCategories => 4,
            Shape::InsertInteractions => 5,
        }
    }

    fn head(self) -> &'static str {
        match self {
            Shape::UpsertUsers => {
                "INSERT INTO users (ext_id, interests, skill_level, gender, age, occupation, zip, \
                 attributes, created_at, updated_at) VALUES "
            }
            Shape::UpsertItems => {
                "INSERT INTO items (ext_id, title, tags, description, year, attributes, \
                 created_at, updated_at) VALUES "
            }
            Shape::InsertCategories => {
                "INSERT INTO item_categories (item_id, type, value, position) VALUES "
            }
            Shape::InsertInteractions => {
                "INSERT INTO interactions (user_id, item_id, kind, value, ts) VALUES "
            }
        }
    }

    fn tail(self) -> &'static str {
        match self {
            Shape::UpsertUsers => UPSERT_USERS_TAIL,
            Shape::UpsertItems => UPSERT_ITEMS_TAIL,
            Shape::InsertCategories => "",
            Shape::InsertInteractions => {
                " ON CONFLICT (user_id, item_id, kind, ts) DO UPDATE SET value = excluded.value \
                 WHERE interactions.value IS NOT excluded.value"
            }
        }
    }

    fn sql(self, rows: usize) -> String {
        let params = self.params_per_row();
        let mut row = String::with_capacity(2 + params * 2);
        row.push('(');
        for p in 0..params {
            row.push_str(if p == 0 { "?" } else { ",?" });
        }
        row.push(')');
        let mut sql = String::with_capacity(self.head().len() + rows * (row.len() + 1) + 1024);
        sql.push_str(self.head());
        for r in 0..rows {
            if r > 0 {
                sql.push(',');
            }
            sql.push_str(&row);
        }
        sql.push_str(self.tail());
        sql
    }
}

/// A field the new row lacks keeps the stored value; the row is rewritten only when a value
/// actually changes, so re-importing the same user is a no-op and returns no row.
const UPSERT_USERS_TAIL: &str = " ON CONFLICT (ext_id) DO UPDATE SET
    interests = COALESCE(excluded.interests, users.interests),
    skill_level = COALESCE(excluded.skill_level, users.skill_level),
    gender = COALESCE(excluded.gender, users.gender),
    age = COALESCE(excluded.age, users.age),
    occupation = COALESCE(excluded.occupation, users.occupation),
    zip = COALESCE(excluded.zip, users.zip),
    attributes = CASE WHEN excluded.attributes IS NULL THEN users.attributes
                      WHEN users.attributes IS NULL THEN excluded.attributes
                      ELSE json_patch(users.attributes, excluded.attributes) END,
    updated_at = excluded.updated_at
WHERE (excluded.interests IS NOT NULL AND excluded.interests IS NOT users.interests)
   OR (excluded.skill_level IS NOT NULL AND excluded.skill_level IS NOT users.skill_level)
   OR (excluded.gender IS NOT NULL AND excluded.gender IS NOT users.gender)
   OR (excluded.age IS NOT NULL AND excluded.age IS NOT users.age)
   OR (excluded.occupation IS NOT NULL AND excluded.occupation IS NOT users.occupation)
   OR (excluded.zip IS NOT NULL AND excluded.zip IS NOT users.zip)
   OR (excluded.attributes IS NOT NULL AND (users.attributes IS NULL
       OR json_patch(users.attributes, excluded.attributes) IS NOT users.attributes))
RETURNING id, ext_id";

/// See [`UPSERT_USERS_TAIL`].
const UPSERT_ITEMS_TAIL: &str = " ON CONFLICT (ext_id) DO UPDATE SET
    title = COALESCE(excluded.title, items.title),
    tags = COALESCE(excluded.tags, items.tags),
    description = COALESCE(excluded.description, items.description),
    year = COALESCE(excluded.year, items.year),
    attributes = CASE WHEN excluded.attributes IS NULL THEN items.attributes
                      WHEN items.attributes IS NULL THEN excluded.attributes
                      ELSE json_patch(items.attributes, excluded.attributes) END,
    updated_at = excluded.updated_at
WHERE (excluded.title IS NOT NULL AND excluded.title IS NOT items.title)
   OR (excluded.tags IS NOT NULL AND excluded.tags IS NOT items.tags)
   OR (excluded.description IS NOT NULL AND excluded.description IS NOT items.description)
   OR (excluded.year IS NOT NULL AND excluded.year IS NOT items.year)
   OR (excluded.attributes IS NOT NULL AND (items.attributes IS NULL
       OR json_patch(items.attributes, excluded.attributes) IS NOT items.attributes))
RETURNING id, ext_id";

/// An import on SQLite: a write transaction plus the statement texts built so far.
pub(crate) struct SqliteImport {
    tx: Transaction<'static, Sqlite>,
    /// This process's turn to write, given back when the transaction ends.
    _turn: Option<OwnedSemaphorePermit>,
    statements: HashMap<(Shape, usize), Arc<str>>,
    kinds: Vec<Arc<str>>,
}

impl SqliteImport {
    /// The transaction's connection.
    pub(crate) fn connection(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.tx
    }

    /// Starts the write transaction at once (`BEGIN IMMEDIATE`), so that a concurrent writer
    /// waits at the start instead of failing half-way.
    pub(crate) async fn begin(
        pool: &SqlitePool,
        turn: Option<OwnedSemaphorePermit>,
    ) -> Result<Self, Error> {
        let tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("starting the import transaction")?;
        Ok(Self {
            tx,
            _turn: turn,
            statements: HashMap::new(),
            kinds: Vec::new(),
        })
    }

    pub(crate) async fn commit(self) -> Result<(), Error> {
        self.tx.commit().await.context("committing the import")
    }

    pub(crate) async fn rollback(self) -> Result<(), Error> {
        self.tx.rollback().await.context("rolling back the import")
    }

    fn statement(&mut self, shape: Shape, rows: usize) -> AssertSqlSafe<Arc<str>> {
        let sql = self
            .statements
            .entry((shape, rows))
            .or_insert_with(|| Arc::from(shape.sql(rows)));
        AssertSqlSafe(Arc::clone(sql))
    }

    /// A shared copy of the kind's name, so binding it does not copy the string per row.
    fn kind(&mut self, name: &str) -> Arc<str> {
        if let Some(k) = self.kinds.iter().find(|k| ***k == *name) {
            return Arc::clone(k);
        }
        let k: Arc<str> = Arc::from(name);
        self.kinds.push(Arc::clone(&k));
        k
    }
}

fn json_ids<T: serde::Serialize>(ids: &[T]) -> Result<String, Error> {
    serde_json::to_string(ids).map_err(|source| Error::Json {
        what: "a list of ids",
        source,
    })
}

impl ImportStatements for SqliteImport {
    async fn upsert_users(
        &mut self,
        rows: &[UserColumns<'_>],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        let mut changed = Vec::new();
        for chunk in rows.chunks(USER_ROWS) {
            let mut query = sqlx::query_as(self.statement(Shape::UpsertUsers, chunk.len()));
            for u in chunk {
                query = query
                    .bind(u.ext_id)
                    .bind(u.interests.as_deref())
                    .bind(u.skill_level)
                    .bind(u.gender)
                    .bind(u.age)
                    .bind(u.occupation)
                    .bind(u.zip)
                    .bind(u.attributes.as_deref())
                    .bind(now)
                    .bind(now);
            }
            changed.extend(
                query
                    .fetch_all(&mut *self.tx)
                    .await
                    .context("upserting users")?,
            );
        }
        Ok(changed)
    }

    async fn upsert_items(
        &mut self,
        rows: &[ItemColumns<'_>],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        let mut changed = Vec::new();
        for chunk in rows.chunks(ITEM_ROWS) {
            let mut query = sqlx::query_as(self.statement(Shape::UpsertItems, chunk.len()));
            for i in chunk {
                query = query
                    .bind(i.ext_id)
                    .bind(i.title)
                    .bind(i.tags.as_deref())
                    .bind(i.description)
                    .bind(i.year)
                    .bind(i.attributes.as_deref())
                    .bind(now)
                    .bind(now);
            }
            changed.extend(
                query
                    .fetch_all(&mut *self.tx)
                    .await
                    .context("upserting items")?,
            );
        }
        Ok(changed)
    }

    async fn find_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
    ) -> Result<Vec<(i64, String)>, Error> {
        let sql = match entity {
            Entity::User => {
                "SELECT id, ext_id FROM users WHERE ext_id IN (SELECT value FROM json_each(?))"
            }
            Entity::Item => {
                "SELECT id, ext_id FROM items WHERE ext_id IN (SELECT value FROM json_each(?))"
            }
        };
        sqlx::query_as(sql)
            .bind(json_ids(ext_ids)?)
            .fetch_all(&mut *self.tx)
            .await
            .context("looking up ids")
    }

    async fn create_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT.
        let sql = match entity {
            Entity::User => {
                "INSERT INTO users (ext_id, created_at, updated_at) \
                 SELECT value, ?2, ?2 FROM json_each(?1) WHERE true \
                 ON CONFLICT (ext_id) DO NOTHING RETURNING id, ext_id"
            }
            Entity::Item => {
                "INSERT INTO items (ext_id, created_at, updated_at) \
                 SELECT value, ?2, ?2 FROM json_each(?1) WHERE true \
                 ON CONFLICT (ext_id) DO NOTHING RETURNING id, ext_id"
            }
        };
        sqlx::query_as(sql)
            .bind(json_ids(ext_ids)?)
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await
            .context("creating users and items named by interactions")
    }

    async fn categories_of(
        &mut self,
        item_ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, Error> {
        sqlx::query_as(
            "SELECT item_id, type, value FROM item_categories \
             WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, position",
        )
        .bind(json_ids(item_ids)?)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading item categories")
    }

    async fn replace_categories(
        &mut self,
        item_ids: &[i64],
        rows: &[CategoryRow<'_>],
        now: i64,
    ) -> Result<(), Error> {
        let ids = json_ids(item_ids)?;
        sqlx::query(
            "DELETE FROM item_categories WHERE item_id IN (SELECT value FROM json_each(?))",
        )
        .bind(&ids)
        .execute(&mut *self.tx)
        .await
        .context("replacing item categories")?;
        for chunk in rows.chunks(CATEGORY_ROWS) {
            let mut query = sqlx::query(self.statement(Shape::InsertCategories, chunk.len()));
            for c in chunk {
                query = query
                    .bind(c.item_id)
                    .bind(c.kind)
                    .bind(c.value)
                    .bind(c.position);
            }
            query
                .execute(&mut *self.tx)
                .await
                .context("writing item categories")?;
        }
        sqlx::query(
            "UPDATE items SET updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
        )
        .bind(&ids)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .context("touching items whose categories changed")?;
        Ok(())
    }

    async fn insert_interactions(&mut self, rows: &[InteractionRow<'_>]) -> Result<u64, Error> {
        let mut inserted = 0;
        for chunk in rows.chunks(INTERACTION_ROWS) {
            let mut query = sqlx::query(self.statement(Shape::InsertInteractions, chunk.len()));
            for e in chunk {
                query = query
                    .bind(e.user_id)
                    .bind(e.item_id)
                    .bind(self.kind(e.kind))
                    .bind(e.value)
                    .bind(e.ts);
            }
            inserted += query
                .execute(&mut *self.tx)
                .await
                .context("inserting interactions")?
                .rows_affected();
        }
        Ok(inserted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_have_one_placeholder_per_value_and_stay_under_the_limit() {
        for (shape, rows) in [
            (Shape::UpsertUsers, USER_ROWS),
            (Shape::UpsertItems, ITEM_ROWS),
            (Shape::InsertCategories, CATEGORY_ROWS),
            (Shape::InsertInteractions, INTERACTION_ROWS),
        ] {
            let sql = shape.sql(rows);
            let placeholders = sql.matches('?').count();
            assert_eq!(placeholders, rows * shape.params_per_row(), "{shape:?}");
            assert!(placeholders <= 32_766, "{shape:?}");
        }
        assert!(
            Shape::InsertInteractions
                .sql(2)
                .contains("(?,?,?,?,?),(?,?,?,?,?) ON CONFLICT (user_id, item_id, kind, ts)")
        );
    }
}
