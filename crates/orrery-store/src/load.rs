//! Reading the database back: the [`Stats`] summary and the [`Dataset`] snapshot.
//!
//! The queries are plain SQL shared by both backends. Users and items are read first, by
//! row id, so that dense indices follow insertion order; interactions are then streamed
//! without joins, row ids mapped to indices through flat tables.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use orrery_core::{Category, Dataset, DatasetBuilder, EventKind, EventWeights};
use serde::Serialize;
use sqlx::{ColumnIndex, Database, Decode, Executor, IntoArguments, Row, Type};

use crate::Error;
use crate::columns::{StoredItem, StoredUser};
use crate::error::Context;

/// Counts that describe what the database holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// All users, with or without interactions.
    pub users: u64,
    /// Users with at least one interaction.
    pub active_users: u64,
    /// All items.
    pub items: u64,
    /// Items with at least one interaction (of any kind).
    pub rated_items: u64,
    /// Stored interactions.
    pub interactions: u64,
    /// Share of the user × item matrix with at least one interaction: distinct (user, item)
    /// pairs / (users × items), so repeated events on one pair count once; 0 when there
    /// are no users or no items.
    pub density: f64,
    /// Mean value of the interactions of kind `rating`, if there are any.
    pub mean_rating: Option<f64>,
}

pub(crate) async fn stats<DB>(conn: &mut DB::Connection) -> Result<Stats, Error>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'r> f64: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    DB::Arguments: IntoArguments<DB>,
{
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM users), \
                (SELECT COUNT(DISTINCT user_id) FROM interactions), \
                (SELECT COUNT(*) FROM items), \
                (SELECT COUNT(DISTINCT item_id) FROM interactions), \
                (SELECT COUNT(*) FROM interactions), \
                (SELECT AVG(value) FROM interactions WHERE kind = 'rating'), \
                (SELECT COUNT(*) FROM (SELECT DISTINCT user_id, item_id FROM interactions) AS pairs)",
    )
    .fetch_one(&mut *conn)
    .await
    .context("computing statistics")?;
    let count = |i: usize| -> Result<u64, Error> {
        let n: i64 = row.try_get(i).context("reading statistics")?;
        Ok(n.max(0) as u64)
    };
    let (users, items, interactions) = (count(0)?, count(2)?, count(4)?);
    let cells = users as f64 * items as f64;
    let pairs = count(6)?;
    Ok(Stats {
        users,
        active_users: count(1)?,
        items,
        rated_items: count(3)?,
        interactions,
        density: if cells > 0.0 {
            pairs as f64 / cells
        } else {
            0.0
        },
        mean_rating: row.try_get(5).context("reading statistics")?,
    })
}

/// Row ids → dense indices: a flat table for the usual compact ids, a hash map for outliers.
struct DenseIds {
    flat: Vec<u32>,
    sparse: HashMap<i64, u32>,
}

impl DenseIds {
    const NONE: u32 = u32::MAX;

    fn with_expected(n: usize) -> Self {
        Self {
            flat: Vec::with_capacity(n + 1),
            sparse: HashMap::new(),
        }
    }

    /// Ids up to this bound go in the flat table.
    fn flat_limit(&self, expected: usize) -> i64 {
        (4 * expected + 4096) as i64
    }

    fn insert(&mut self, id: i64, idx: u32, expected: usize) {
        if (0..self.flat_limit(expected)).contains(&id) {
            let slot = id as usize;
            if slot >= self.flat.len() {
                self.flat.resize(slot + 1, Self::NONE);
            }
            self.flat[slot] = idx;
        } else {
            self.sparse.insert(id, idx);
        }
    }

    fn get(&self, id: i64) -> Option<u32> {
        match usize::try_from(id).ok().and_then(|s| self.flat.get(s)) {
            Some(&idx) if idx != Self::NONE => Some(idx),
            _ => self.sparse.get(&id).copied(),
        }
    }
}

/// Event kind names seen so far, parsed once each.
#[derive(Default)]
struct Kinds {
    known: Vec<(String, EventKind)>,
    last: usize,
}

impl Kinds {
    fn get(&mut self, name: &str) -> Result<&EventKind, Error> {
        if self.known.get(self.last).is_none_or(|(n, _)| n != name) {
            self.last = match self.known.iter().position(|(n, _)| n == name) {
                Some(at) => at,
                None => {
                    let kind = name.parse().map_err(|e| Error::Corrupt {
                        what: format!("interactions.kind {name:?}"),
                        reason: format!("{e}"),
                    })?;
                    self.known.push((name.to_owned(), kind));
                    self.known.len() - 1
                }
            };
        }
        Ok(&self.known[self.last].1)
    }
}

/// A [`Dataset`] being read: users and items first, then interactions one by one.
pub(crate) struct Snapshot {
    builder: DatasetBuilder,
    users: DenseIds,
    items: DenseIds,
    kinds: Kinds,
}

impl Snapshot {
    /// Reads all users and items (with categories), by row id.
    pub(crate) async fn start<DB>(
        conn: &mut DB::Connection,
        weights: &EventWeights,
    ) -> Result<Self, Error>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> i64: Decode<'r, DB> + Type<DB>,
        for<'r> i32: Decode<'r, DB> + Type<DB>,
        for<'r> String: Decode<'r, DB> + Type<DB>,
        usize: ColumnIndex<DB::Row>,
        DB::Arguments: IntoArguments<DB>,
        for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
        (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    {
        let rating_scale = crate::settings::read_rating_scale::<DB>(&mut *conn).await?;
        let (n_users, n_items, n_events): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM items), \
                    (SELECT COUNT(*) FROM interactions)",
        )
        .fetch_one(&mut *conn)
        .await
        .context("counting rows to load")?;
        let (n_users, n_items) = (n_users.max(0) as usize, n_items.max(0) as usize);
        let mut builder = DatasetBuilder::new(weights.clone());
        builder.reserve(n_users, n_items, n_events.max(0) as usize);
        if let Some(scale) = rating_scale {
            builder.set_rating_scale(scale);
        }

        let mut users = DenseIds::with_expected(n_users);
        {
            let mut rows = sqlx::query(
                "SELECT id, ext_id, interests, skill_level, gender, age, occupation, zip, \
                 attributes FROM users ORDER BY id",
            )
            .fetch(&mut *conn);
            while let Some(row) = rows.try_next().await.context("reading users")? {
                let id: i64 = row.try_get(0).context("reading users")?;
                let user = StoredUser {
                    ext_id: row.try_get(1).context("reading users")?,
                    interests: row.try_get(2).context("reading users")?,
                    skill_level: row.try_get(3).context("reading users")?,
                    gender: row.try_get(4).context("reading users")?,
                    age: row.try_get(5).context("reading users")?,
                    occupation: row.try_get(6).context("reading users")?,
                    zip: row.try_get(7).context("reading users")?,
                    attributes: row.try_get(8).context("reading users")?,
                };
                let idx = builder.add_user(user.into_record()?);
                users.insert(id, idx, n_users);
            }
        }

        let mut categories: Vec<(i64, Category)> = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT item_id, type, value FROM item_categories ORDER BY item_id, position",
            )
            .fetch(&mut *conn);
            while let Some(row) = rows.try_next().await.context("reading item categories")? {
                let item_id: i64 = row.try_get(0).context("reading item categories")?;
                let kind: String = row.try_get(1).context("reading item categories")?;
                let value: String = row.try_get(2).context("reading item categories")?;
                categories.push((item_id, Category { kind, value }));
            }
        }

        let mut items = DenseIds::with_expected(n_items);
        {
            let mut categories = categories.into_iter().peekable();
            let mut rows = sqlx::query(
                "SELECT id, ext_id, title, tags, description, year, attributes \
                 FROM items ORDER BY id",
            )
            .fetch(&mut *conn);
            while let Some(row) = rows.try_next().await.context("reading items")? {
                let id: i64 = row.try_get(0).context("reading items")?;
                let item = StoredItem {
                    ext_id: row.try_get(1).context("reading items")?,
                    title: row.try_get(2).context("reading items")?,
                    tags: row.try_get(3).context("reading items")?,
                    description: row.try_get(4).context("reading items")?,
                    year: row.try_get(5).context("reading items")?,
                    attributes: row.try_get(6).context("reading items")?,
                };
                // Both sequences are sorted by item id: a merge join.
                while categories.next_if(|(item_id, _)| *item_id < id).is_some() {}
                let mut own = Vec::new();
                while let Some((_, c)) = categories.next_if(|(item_id, _)| *item_id == id) {
                    own.push(c);
                }
                let idx = builder.add_item(item.into_record(own)?);
                items.insert(id, idx, n_items);
            }
        }
        Ok(Self {
            builder,
            users,
            items,
            kinds: Kinds::default(),
        })
    }

    /// Adds one stored interaction, by the row ids of its user and item.
    pub(crate) fn add_interaction(
        &mut self,
        user_id: i64,
        item_id: i64,
        kind: &str,
        value: f32,
        ts: i64,
    ) -> Result<(), Error> {
        let dangling = |what: &str, id: i64| Error::Corrupt {
            what: format!("an interaction of {what} row {id}"),
            reason: format!("no such {what}"),
        };
        let u = self
            .users
            .get(user_id)
            .ok_or_else(|| dangling("user", user_id))?;
        let i = self
            .items
            .get(item_id)
            .ok_or_else(|| dangling("item", item_id))?;
        let kind = self.kinds.get(kind)?;
        self.builder.add_event_at(u, i, kind, value, ts);
        Ok(())
    }

    /// Streams every interaction, by row id, through the driver.
    pub(crate) async fn read_interactions<DB>(
        &mut self,
        conn: &mut DB::Connection,
    ) -> Result<(), Error>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> i64: Decode<'r, DB> + Type<DB>,
        for<'r> f32: Decode<'r, DB> + Type<DB>,
        for<'r> &'r str: Decode<'r, DB> + Type<DB>,
        usize: ColumnIndex<DB::Row>,
        DB::Arguments: IntoArguments<DB>,
    {
        let mut rows = sqlx::query(INTERACTIONS_IN_ORDER).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await.context("reading interactions")? {
            self.add_interaction(
                row.try_get(0).context("reading interactions")?,
                row.try_get(1).context("reading interactions")?,
                row.try_get(2).context("reading interactions")?,
                row.try_get(3).context("reading interactions")?,
                row.try_get(4).context("reading interactions")?,
            )?;
        }
        Ok(())
    }

    /// Merges the events into the finished [`Dataset`].
    pub(crate) fn finish(self) -> Dataset {
        self.builder.build()
    }
}

/// Every interaction in insertion order, so that events of the same second keep their
/// order and the snapshot is deterministic.
pub(crate) const INTERACTIONS_IN_ORDER: &str =
    "SELECT user_id, item_id, kind, value, ts FROM interactions ORDER BY id";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_ids_map_compact_and_outlying_ids() {
        let mut ids = DenseIds::with_expected(3);
        ids.insert(1, 0, 3);
        ids.insert(7, 1, 3);
        ids.insert(1 << 40, 2, 3);
        assert_eq!(ids.get(1), Some(0));
        assert_eq!(ids.get(7), Some(1));
        assert_eq!(ids.get(1 << 40), Some(2));
        assert_eq!(ids.get(2), None);
        assert_eq!(ids.get(-5), None);
        assert_eq!(ids.get(1_000_000), None);
    }

    #[test]
    fn kinds_parse_once_and_reject_garbage() {
        let mut kinds = Kinds::default();
        assert_eq!(kinds.get("rating").unwrap(), &EventKind::Rating);
        assert_eq!(kinds.get("click").unwrap(), &EventKind::Click);
        assert_eq!(kinds.get("rating").unwrap(), &EventKind::Rating);
        assert_eq!(kinds.known.len(), 2);
        assert!(kinds.get("not a kind!").is_err());
    }
}
