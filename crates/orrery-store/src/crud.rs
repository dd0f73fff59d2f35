//! Row-at-a-time reads and writes by external id, for the HTTP API: users, items and a
//! user's interactions.
//!
//! Writes go through [`ImportTx`](crate::ImportTx), so they validate and merge exactly as
//! imports do. Queries are written once for both backends with `$N` parameters, which
//! SQLite reads as named parameters numbered by first appearance: each query introduces
//! `$1`, `$2`, … in that order.

use orrery_core::{Category, InteractionRecord, ItemRecord, Record, UserRecord};
use serde::Serialize;

use crate::columns::{StoredItem, StoredUser};
use crate::error::Context;
use crate::store::on_pool;
use crate::{Backend, Error, Store};

/// The largest page [`Store::list_users`] and [`Store::list_items`] return.
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows of this page, in the order they were first stored.
    pub items: Vec<T>,
    /// How many rows match, over all pages.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// The page size used (capped at [`MAX_PAGE_SIZE`]).
    pub size: u32,
}

type UserRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

type ItemRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
);

/// A [`UserRow`] followed by the user's [`history_column`] named `events`.
#[derive(sqlx::FromRow)]
struct UserWithHistory {
    #[sqlx(flatten)]
    user: UserRow,
    events: String,
}

/// (item id, type, value) rows of `item_categories`.
type CategoryRows = Vec<(i64, String, String)>;

fn user_record(row: UserRow) -> Result<UserRecord, Error> {
    let (ext_id, interests, skill_level, gender, age, occupation, zip, attributes) = row;
    StoredUser {
        ext_id,
        interests,
        skill_level,
        gender,
        age,
        occupation,
        zip,
        attributes,
    }
    .into_record()
}

fn item_record(row: ItemRow, categories: Vec<Category>) -> Result<ItemRecord, Error> {
    let (_, ext_id, title, tags, description, year, attributes) = row;
    StoredItem {
        ext_id,
        title,
        tags,
        description,
        year,
        attributes,
    }
    .into_record(categories)
}

/// `(limit, offset, page, size)` for a 1-based page number; page 0 reads as page 1.
fn window(page: u32, size: u32) -> (i64, i64, u32, u32) {
    let page = page.max(1);
    let size = size.min(MAX_PAGE_SIZE);
    (
        i64::from(size),
        i64::from(page - 1) * i64::from(size),
        page,
        size,
    )
}

/// Attaches categories, sorted by item id and position, to items sorted by id.
fn with_categories(rows: Vec<ItemRow>, categories: CategoryRows) -> Result<Vec<ItemRecord>, Error> {
    let mut categories = categories.into_iter().peekable();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.0;
        while categories
            .next_if(|(item_id, _, _)| *item_id < id)
            .is_some()
        {}
        let mut own = Vec::new();
        while let Some((_, kind, value)) = categories.next_if(|(item_id, _, _)| *item_id == id) {
            own.push(Category { kind, value });
        }
        items.push(item_record(row, own)?);
    }
    Ok(items)
}

impl Store {
    /// Creates or updates a user, merging like an import: fields the record lacks keep
    /// their stored values. Returns whether anything was created or changed.
    pub async fn upsert_user(&self, user: &UserRecord) -> Result<bool, Error> {
        let mut tx = self.begin_write().await?;
        tx.write(&[Record::User(user.clone())]).await?;
        Ok(tx.commit().await?.users > 0)
    }

    /// The user with this external id.
    pub async fn get_user(&self, id: &str) -> Result<Option<UserRecord>, Error> {
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ext_id, interests, skill_level, gender, age, occupation, zip, attributes \
                 FROM users WHERE ext_id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })
        .context("reading a user")?;
        row.map(user_record).transpose()
    }

    /// Deletes a user and all their interactions. Returns whether the user existed.
    pub async fn delete_user(&self, id: &str) -> Result<bool, Error> {
        // The lists served to the user go with them (their outcomes cascade).
        let result = on_pool!(self, pool => {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM impressions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let deleted = sqlx::query("DELETE FROM users WHERE ext_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await.map(|()| deleted)
            }
            .await
        })
        .context("deleting a user")?;
        Ok(result > 0)
    }

    /// One page of users, in the order they were first stored. Pages count from 1.
    pub async fn list_users(&self, page: u32, size: u32) -> Result<Page<UserRecord>, Error> {
        let (limit, offset, page, size) = window(page, size);
        let (rows, total): (Vec<UserRow>, i64) = on_pool!(self, pool => {
            let rows = sqlx::query_as(
                "SELECT ext_id, interests, skill_level, gender, age, occupation, zip, attributes \
                 FROM users ORDER BY id LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await;
            rows.and_then(|rows| total.map(|total| (rows, total)))
        })
        .context("listing users")?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(user_record)
                .collect::<Result<_, _>>()?,
            total: total.max(0) as u64,
            page,
            size,
        })
    }

    /// Creates or updates an item, merging like an import; categories, when given, replace
    /// the stored ones. Returns whether anything was created or changed.
    pub async fn upsert_item(&self, item: &ItemRecord) -> Result<bool, Error> {
        let mut tx = self.begin_write().await?;
        tx.write(&[Record::Item(item.clone())]).await?;
        Ok(tx.commit().await?.items > 0)
    }

    /// The item with this external id, with its categories.
    pub async fn get_item(&self, id: &str) -> Result<Option<ItemRecord>, Error> {
        let found: Option<(ItemRow, CategoryRows)> = on_pool!(self, pool => {
            let row: Result<Option<ItemRow>, sqlx::Error> = sqlx::query_as(
                "SELECT id, ext_id, title, tags, description, year, attributes \
                 FROM items WHERE ext_id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await;
            match row {
                Ok(Some(row)) => sqlx::query_as(
                    "SELECT item_id, type, value FROM item_categories \
                     WHERE item_id = $1 ORDER BY position",
                )
                .bind(row.0)
                .fetch_all(pool)
                .await
                .map(|categories| Some((row, categories))),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .context("reading an item")?;
        match found {
            Some((row, categories)) => Ok(with_categories(vec![row], categories)?.pop()),
            None => Ok(None),
        }
    }

    /// Deletes an item, its categories and all interactions with it. Returns whether the
    /// item existed.
    pub async fn delete_item(&self, id: &str) -> Result<bool, Error> {
        let result = on_pool!(self, pool => {
            sqlx::query("DELETE FROM items WHERE ext_id = $1").bind(id).execute(pool).await
                .map(|r| r.rows_affected())
        })
        .context("deleting an item")?;
        Ok(result > 0)
    }

    /// One page of items, in the order they were first stored, optionally only those with
    /// a given category. Pages count from 1.
    pub async fn list_items(
        &self,
        page: u32,
        size: u32,
        category: Option<&Category>,
    ) -> Result<Page<ItemRecord>, Error> {
        let (limit, offset, page, size) = window(page, size);
        type Listing = (Vec<ItemRow>, CategoryRows, i64);
        let (rows, categories, total): Listing = match category {
            None => on_pool!(self, pool => {
                let rows = sqlx::query_as(
                    "SELECT id, ext_id, title, tags, description, year, attributes \
                     FROM items ORDER BY id LIMIT $1 OFFSET $2",
                )
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await;
                let categories = sqlx::query_as(
                    "SELECT c.item_id, c.type, c.value FROM item_categories c \
                     JOIN (SELECT id FROM items ORDER BY id LIMIT $1 OFFSET $2) p \
                       ON p.id = c.item_id \
                     ORDER BY c.item_id, c.position",
                )
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await;
                let total = sqlx::query_scalar("SELECT COUNT(*) FROM items").fetch_one(pool).await;
                rows.and_then(|r| categories.and_then(|c| total.map(|t| (r, c, t))))
            }),
            Some(filter) => on_pool!(self, pool => {
                let rows = sqlx::query_as(
                    "SELECT id, ext_id, title, tags, description, year, attributes FROM items i \
                     WHERE EXISTS (SELECT 1 FROM item_categories f \
                                   WHERE f.item_id = i.id AND f.type = $1 AND f.value = $2) \
                     ORDER BY id LIMIT $3 OFFSET $4",
                )
                .bind(&filter.kind)
                .bind(&filter.value)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await;
                let categories = sqlx::query_as(
                    "SELECT c.item_id, c.type, c.value FROM item_categories c \
                     JOIN (SELECT i.id FROM items i \
                           WHERE EXISTS (SELECT 1 FROM item_categories f \
                                         WHERE f.item_id = i.id AND f.type = $1 AND f.value = $2) \
                           ORDER BY i.id LIMIT $3 OFFSET $4) p \
                       ON p.id = c.item_id \
                     ORDER BY c.item_id, c.position",
                )
                .bind(&filter.kind)
                .bind(&filter.value)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await;
                let total = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM item_categories WHERE type = $1 AND value = $2",
                )
                .bind(&filter.kind)
                .bind(&filter.value)
                .fetch_one(pool)
                .await;
                rows.and_then(|r| categories.and_then(|c| total.map(|t| (r, c, t))))
            }),
        }
        .context("listing items")?;
        Ok(Page {
            items: with_categories(rows, categories)?,
            total: total.max(0) as u64,
            page,
            size,
        })
    }

    /// Stores interactions in one transaction of their own, creating unknown users and
    /// items by id and skipping those already stored. Returns how many were inserted.
    pub async fn add_interactions(&self, events: &[InteractionRecord]) -> Result<u64, Error> {
        Ok(self.add_interaction_lists(&[events]).await?[0])
    }

    /// Stores several lists of interactions in one transaction and returns how many of
    /// each list were new: the writes of concurrent requests, committed together. Fails
    /// as a whole, storing nothing, if any list fails.
    pub async fn add_interaction_lists(
        &self,
        lists: &[&[InteractionRecord]],
    ) -> Result<Vec<u64>, Error> {
        let mut tx = self.begin_write().await?;
        let mut counts = Vec::with_capacity(lists.len());
        for events in lists {
            let before = tx.progress().interactions_inserted;
            let records: Vec<Record> = events.iter().cloned().map(Record::Interaction).collect();
            tx.write(&records).await?;
            counts.push(tx.progress().interactions_inserted - before);
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// The interactions of a user, oldest first; `None` when the user does not exist.
    pub async fn user_interactions(
        &self,
        id: &str,
    ) -> Result<Option<Vec<InteractionRecord>>, Error> {
        let sql = match self.backend() {
            Backend::Sqlite => concat!(
                "SELECT ",
                history_column!(sqlite),
                " FROM users u WHERE u.ext_id = $1"
            ),
            Backend::Postgres => concat!(
                "SELECT ",
                history_column!(postgres),
                " FROM users u WHERE u.ext_id = $1"
            ),
        };
        let events: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await
        })
        .context("reading a user's interactions")?;
        events.map(|events| parse_history(id, &events)).transpose()
    }

    /// A user and their interactions (oldest first) in one query, as serving reads them;
    /// `None` when the user does not exist.
    pub async fn user_with_interactions(
        &self,
        id: &str,
    ) -> Result<Option<(UserRecord, Vec<InteractionRecord>)>, Error> {
        let sql = match self.backend() {
            Backend::Sqlite => concat!(
                "SELECT u.ext_id, u.interests, u.skill_level, u.gender, u.age, u.occupation, \
                 u.zip, u.attributes, ",
                history_column!(sqlite),
                " AS events FROM users u WHERE u.ext_id = $1"
            ),
            Backend::Postgres => concat!(
                "SELECT u.ext_id, u.interests, u.skill_level, u.gender, u.age, u.occupation, \
                 u.zip, u.attributes, ",
                history_column!(postgres),
                " AS events FROM users u WHERE u.ext_id = $1"
            ),
        };
        let row: Option<UserWithHistory> = on_pool!(self, pool => {
            sqlx::query_as(sql).bind(id).fetch_optional(pool).await
        })
        .context("reading a user and their interactions")?;
        let Some(UserWithHistory { user, events }) = row else {
            return Ok(None);
        };
        let record = user_record(user)?;
        Ok(Some((record, parse_history(id, &events)?)))
    }
}

/// The column holding user `u`'s interactions, oldest first, as one JSON array of
/// `[item, kind, value, ts]`, per backend: a serving request reads a whole history, and
/// sqlx hands every row of a result from its SQLite thread to the async side on its own
/// (a third of a list's time at 150 events a user). A macro, so that the queries stay
/// `'static` literals.
macro_rules! history_column {
    (sqlite) => {
        "(SELECT json_group_array(json_array(i.ext_id, e.kind, e.value, e.ts) \
         ORDER BY e.ts, e.id) FROM interactions e JOIN items i ON i.id = e.item_id \
         WHERE e.user_id = u.id)"
    };
    (postgres) => {
        "(SELECT coalesce(json_agg(json_build_array(i.ext_id, e.kind, e.value, e.ts) \
         ORDER BY e.ts, e.id), '[]')::text FROM interactions e \
         JOIN items i ON i.id = e.item_id WHERE e.user_id = u.id)"
    };
}
use history_column;

/// The events of a [`history_column`] for user `id`.
fn parse_history(id: &str, events: &str) -> Result<Vec<InteractionRecord>, Error> {
    let rows: Vec<(String, String, f32, i64)> =
        serde_json::from_str(events).map_err(|e| Error::Corrupt {
            what: format!("the interactions of user {id:?}"),
            reason: e.to_string(),
        })?;
    rows.into_iter()
        .map(|(item, kind, value, ts)| {
            let kind = kind.parse().map_err(|e| Error::Corrupt {
                what: format!("interactions.kind {kind:?}"),
                reason: format!("{e}"),
            })?;
            Ok(InteractionRecord {
                user: id.to_owned(),
                item,
                kind,
                value,
                ts,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_from_one_and_are_capped() {
        assert_eq!(window(0, 10), (10, 0, 1, 10));
        assert_eq!(window(3, 10), (10, 20, 3, 10));
        assert_eq!(window(2, 50_000), (1_000, 1_000, 2, 1_000));
    }
}
