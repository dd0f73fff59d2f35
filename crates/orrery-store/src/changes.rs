//! Change announcements between processes that share one database: after a write, a
//! server announces which users or items changed, and every other server on the database
//! drops what it cached about them.
//!
//! On PostgreSQL this is `NOTIFY`/`LISTEN` on a channel named after the schema (so that
//! separate schemas in one database do not hear each other). SQLite has no notifications,
//! so there announcements are appended to the `change_log` table, and listeners read the
//! rows other processes appended every [`SQLITE_POLL`]: a server on a file that `orrery
//! import` or another server writes to sees their changes within that time.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use sqlx::postgres::PgListener;

use crate::Error;
use crate::error::Context;
use crate::store::{Pool, Store};

/// What another process changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// These users' interactions or records changed.
    Users(Vec<String>),
    /// These items were created, changed or deleted.
    Items(Vec<String>),
    /// Another version of the model became the active one.
    ActiveModel,
    /// An experiment was created, started, paused, stopped or deleted.
    Experiments,
    /// Another process imported data: any item or user may have changed.
    Imported,
    /// Announcements may have been missed (the listening connection was lost): everything
    /// cached may be stale.
    Unknown,
}

/// PostgreSQL caps a notification's payload at 8,000 bytes; ids are sent in batches that
/// stay well below it.
const MAX_PAYLOAD: usize = 6_000;

/// How often a listener on SQLite reads the change log.
pub const SQLITE_POLL: Duration = Duration::from_millis(500);

/// Rows of the SQLite change log kept: a listener further behind than this reads
/// [`Change::Unknown`].
const SQLITE_LOG_ROWS: i64 = 10_000;

/// Announcements from other processes, in the order they were committed.
pub struct Changes(Listening);

enum Listening {
    Postgres(PgListener),
    Sqlite {
        pool: SqlitePool,
        origin: i64,
        /// The last row read.
        last: i64,
        ready: VecDeque<Change>,
    },
}

impl Changes {
    /// The next change. Waits until there is one; a lost connection is reopened and
    /// reported as [`Change::Unknown`], and so are changes pruned from SQLite's log before
    /// they were read.
    pub async fn next(&mut self) -> Result<Change, Error> {
        let listener = match &mut self.0 {
            Listening::Postgres(listener) => listener,
            Listening::Sqlite {
                pool,
                origin,
                last,
                ready,
            } => loop {
                if let Some(change) = ready.pop_front() {
                    return Ok(change);
                }
                let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                    "SELECT id, origin, payload FROM change_log WHERE id > $1 ORDER BY id \
                     LIMIT 1000",
                )
                .bind(*last)
                .fetch_all(&*pool)
                .await
                .context("reading the change log")?;
                if rows.is_empty() {
                    tokio::time::sleep(SQLITE_POLL).await;
                    continue;
                }
                if rows[0].0 > *last + 1 && *last > 0 {
                    ready.push_back(Change::Unknown);
                }
                for (id, from, payload) in rows {
                    *last = id;
                    if from == *origin {
                        continue;
                    }
                    match serde_json::from_str::<Change>(&payload) {
                        Ok(change) => ready.push_back(change),
                        Err(e) => tracing::warn!("ignoring a malformed change announcement: {e}"),
                    }
                }
            },
        };
        loop {
            match listener
                .try_recv()
                .await
                .context("waiting for change announcements")?
            {
                None => return Ok(Change::Unknown),
                Some(notification) => {
                    match serde_json::from_str::<Change>(notification.payload()) {
                        Ok(change) => return Ok(change),
                        Err(e) => {
                            tracing::warn!("ignoring a malformed change announcement: {e}");
                        }
                    }
                }
            }
        }
    }
}

impl Store {
    /// Tells the other processes on this database that `change` happened (committed
    /// already).
    pub async fn announce(&self, change: &Change) -> Result<(), Error> {
        let pool = match &self.pool {
            Pool::Postgres(pool) => pool,
            Pool::Sqlite(pool) => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO change_log (origin, payload) VALUES ($1, $2) RETURNING id",
                )
                .bind(self.origin)
                .bind(json(change))
                .fetch_one(pool)
                .await
                .context("announcing a change")?;
                if id % 1_000 == 0 {
                    sqlx::query("DELETE FROM change_log WHERE id <= $1")
                        .bind(id - SQLITE_LOG_ROWS)
                        .execute(pool)
                        .await
                        .context("pruning the change log")?;
                }
                return Ok(());
            }
        };
        for payload in payloads(change) {
            sqlx::query("SELECT pg_notify('orrery_changes_' || current_schema(), $1)")
                .bind(payload)
                .execute(pool)
                .await
                .context("announcing a change")?;
        }
        Ok(())
    }

    /// Listens to the other processes' announcements, from now on.
    pub async fn subscribe(&self) -> Result<Option<Changes>, Error> {
        let pool = match &self.pool {
            Pool::Postgres(pool) => pool,
            Pool::Sqlite(pool) => {
                let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_log")
                    .fetch_one(pool)
                    .await
                    .context("reading the change log")?;
                return Ok(Some(Changes(Listening::Sqlite {
                    pool: pool.clone(),
                    origin: self.origin,
                    last,
                    ready: VecDeque::new(),
                })));
            }
        };
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(pool)
            .await
            .context("reading the schema")?;
        let mut listener = PgListener::connect_with(pool)
            .await
            .context("opening the change listener")?;
        listener
            .listen(&format!("orrery_changes_{schema}"))
            .await
            .context("listening for changes")?;
        Ok(Some(Changes(Listening::Postgres(listener))))
    }
}

impl Store {
    /// A number that grows whenever interactions are added (the largest interaction id),
    /// for a process that acts after enough new ones (`orrery train --watch`).
    pub async fn interaction_watermark(&self) -> Result<i64, Error> {
        crate::store::on_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM interactions")
                .fetch_one(pool)
                .await
                .context("reading the newest interaction id")
        })
    }
}

/// `change` as JSON payloads, each under [`MAX_PAYLOAD`] bytes.
fn payloads(change: &Change) -> Vec<String> {
    let (ids, users) = match change {
        Change::Users(ids) => (ids, true),
        Change::Items(ids) => (ids, false),
        Change::ActiveModel | Change::Experiments | Change::Imported | Change::Unknown => {
            return vec![json(change)];
        }
    };
    let mut out = Vec::new();
    let mut batch: Vec<String> = Vec::new();
    let mut size = 0;
    for id in ids {
        if !batch.is_empty() && size + id.len() + 8 > MAX_PAYLOAD {
            out.push(json(&wrap(std::mem::take(&mut batch), users)));
            size = 0;
        }
        size += id.len() + 8;
        batch.push(id.clone());
    }
    if !batch.is_empty() {
        out.push(json(&wrap(batch, users)));
    }
    out
}

fn wrap(ids: Vec<String>, users: bool) -> Change {
    if users {
        Change::Users(ids)
    } else {
        Change::Items(ids)
    }
}

fn json(change: &Change) -> String {
    serde_json::to_string(change).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_split_under_the_payload_limit() {
        let ids: Vec<String> = (0..5_000).map(|i| format!("user-{i}")).collect();
        let payloads = payloads(&Change::Users(ids.clone()));
        assert!(payloads.len() > 1);
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() < 8_000, "{}", p.len());
            match serde_json::from_str::<Change>(p).unwrap() {
                Change::Users(batch) => back.extend(batch),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(back, ids);
    }
}
