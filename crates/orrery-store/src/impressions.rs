//! Served lists and what came of them: impressions (one row per list, its items in
//! order), outcomes (interactions attributed to the list and position that showed their
//! item), the online metrics computed from both, and pruning past the retention.
//!
//! Attribution happens when an outcome is written: to the list the client named when that
//! list showed the item to that user, else to the user's latest list that showed the item
//! within the attribution window. An interaction that no list explains is not an outcome
//! (it is stored as an interaction all the same).

use std::collections::HashMap;

use crate::error::Context;
use crate::import::Connection;
use crate::{Error, Store};

/// Lists of one user searched for an item, newest first, when an outcome names no list:
/// a user served more lists than this within the window is attributed among the newest.
const RECENT_LISTS: i64 = 500;

/// Lists inserted by one statement (12 parameters each, well within SQLite's and
/// PostgreSQL's limits).
const LISTS_PER_STATEMENT: usize = 500;

/// Item counts updated by one statement (4 parameters each).
const STATS_PER_STATEMENT: usize = 1_000;

/// A served list, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Impression {
    /// The `recommendation_id` its answer carried.
    #[serde(rename = "recommendation_id")]
    pub id: String,
    /// The user it was for (`None` for anonymous requests: cold start without a user,
    /// similar items, onboarding).
    #[serde(rename = "user_id")]
    pub user: Option<String>,
    /// Which kind of list: `user`, `cold_start`, `similar`, `onboarding`.
    pub surface: String,
    /// How the list was made (the answer's `method`).
    pub method: String,
    /// The model version that served it.
    pub model_version: Option<i64>,
    /// Its algorithm.
    pub algorithm: Option<String>,
    /// The experiment the user was in, if any.
    pub experiment: Option<String>,
    /// The experiment's variant the user was assigned to.
    pub variant: Option<String>,
    /// The items, first shown first.
    pub items: Vec<String>,
    /// The position (1 is the top) of the item the exploration slot placed, if any.
    #[serde(rename = "explored_position")]
    pub explored: Option<u32>,
    /// When it was served (Unix milliseconds).
    #[serde(rename = "served_at_ms")]
    pub served_at: i64,
}

/// How often one item was shown and clicked in served lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemStats {
    /// The item.
    pub item: String,
    /// Lists that showed it.
    pub shown: u64,
    /// Of those, lists where it was clicked (attributed outcomes, one per list).
    pub clicked: u64,
    /// When these counts last changed (Unix milliseconds).
    pub updated_at: i64,
}

/// An interaction to attribute to a served list.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The list the client says led to it (`recommendation_id`), if it knows.
    pub list: Option<String>,
    /// The user who acted.
    pub user: String,
    /// The item acted on.
    pub item: String,
    /// The interaction's kind.
    pub kind: String,
    /// Engagement: anything but a skip.
    pub clicked: bool,
    /// A conversion by the configured rule (a like, a purchase, a high rating…).
    pub converted: bool,
    /// Unix milliseconds.
    pub at: i64,
}

/// Which lists a metric covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    /// Served at or after (Unix milliseconds).
    pub since: i64,
    /// Served before (Unix milliseconds).
    pub until: i64,
    /// Only this surface.
    pub surface: Option<String>,
    /// Only this experiment.
    pub experiment: Option<String>,
    /// Only this variant of it.
    pub variant: Option<String>,
}

/// The served lists a filter selects, as counts by length, and their attributed outcomes
/// merged per list and position: what online metrics are computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOutcomes {
    /// `(n_items, lists)`: how many lists had each length.
    pub lengths: Vec<(u32, u64)>,
    /// One row per (list, position) with an outcome.
    pub hits: Vec<Hit>,
}

/// What came of one position of one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The list.
    pub list: String,
    /// 1 is the top.
    pub position: u32,
    /// Clicked (engaged with) at least once.
    pub clicked: bool,
    /// Converted at least once.
    pub converted: bool,
}

/// What a batch wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Impressions stored.
    pub impressions: u64,
    /// Outcomes attributed to a list and stored.
    pub outcomes: u64,
}

/// Runs the same statements on whichever connection a write transaction holds.
macro_rules! on_connection {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx.connection() {
            Connection::Sqlite($conn) => $body,
            Connection::Postgres($conn) => $body,
        }
    };
}

impl Store {
    /// Stores `impressions`, then attributes each of `outcomes` to a stored list (see the
    /// module's doc) within `window_ms` and stores those that found one, and, when
    /// `count_items`, adds both to the items' counts ([`ItemStats`]), all in one
    /// transaction.
    pub async fn record_impressions(
        &self,
        impressions: &[Impression],
        outcomes: &[Outcome],
        window_ms: i64,
        count_items: bool,
    ) -> Result<Recorded, Error> {
        if impressions.is_empty() && outcomes.is_empty() {
            return Ok(Recorded::default());
        }
        let mut tx = self.begin_write().await?;
        let mut recorded = Recorded::default();
        // Many lists per statement: a statement per list would cost a round trip each
        // (on SQLite through sqlx's worker thread), at thousands of lists a second.
        for chunk in impressions.chunks(LISTS_PER_STATEMENT) {
            let items = chunk
                .iter()
                .map(|list| {
                    serde_json::to_string(&list.items).map_err(|e| Error::Invalid {
                        what: format!("the items of list {}", list.id),
                        reason: e.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let inserted = on_connection!(tx, conn => {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO impressions (id, user_id, surface, method, model_version, \
                     algorithm, experiment, variant, items, n_items, explored, served_at) ",
                );
                insert.push_values(chunk.iter().zip(&items), |mut row, (list, items)| {
                    row.push_bind(&list.id)
                        .push_bind(&list.user)
                        .push_bind(&list.surface)
                        .push_bind(&list.method)
                        .push_bind(list.model_version)
                        .push_bind(&list.algorithm)
                        .push_bind(&list.experiment)
                        .push_bind(&list.variant)
                        .push_bind(items)
                        .push_bind(list.items.len() as i64)
                        .push_bind(list.explored.map(i64::from))
                        .push_bind(list.served_at);
                });
                insert.push(" ON CONFLICT (id) DO NOTHING");
                insert
                    .build()
                    .execute(&mut *conn)
                    .await
                    .map(|r| r.rows_affected())
            })
            .context("recording served lists")?;
            recorded.impressions += inserted;
        }
        // (shown, clicked) per item, added in one statement per chunk of items rather than
        // one per list.
        let mut counts: HashMap<&str, (i64, i64)> = HashMap::new();
        if count_items {
            for item in impressions.iter().flat_map(|list| &list.items) {
                counts.entry(item).or_default().0 += 1;
            }
        }
        for outcome in outcomes {
            let Some((list, position)) = attribute(&mut tx, outcome, window_ms).await? else {
                continue;
            };
            if count_items && outcome.clicked {
                let clicked_before: i64 = on_connection!(tx, conn => {
                    sqlx::query_scalar(
                        "SELECT COUNT(*) FROM outcomes WHERE impression_id = $1 \
                         AND position = $2 AND clicked",
                    )
                    .bind(&list)
                    .bind(position)
                    .fetch_one(&mut *conn)
                    .await
                })
                .context("reading the outcomes of a list")?;
                if clicked_before == 0 {
                    counts.entry(&outcome.item).or_default().1 += 1;
                }
            }
            on_connection!(tx, conn => {
                sqlx::query(
                    "INSERT INTO outcomes (impression_id, position, item_id, kind, clicked, \
                     converted, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&list)
                .bind(position)
                .bind(&outcome.item)
                .bind(&outcome.kind)
                .bind(outcome.clicked)
                .bind(outcome.converted)
                .bind(outcome.at)
                .execute(&mut *conn)
                .await
                .map(|_| ())
            })
            .context("recording an outcome")?;
            recorded.outcomes += 1;
        }
        add_item_counts(&mut tx, counts).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The items whose counts changed at or after `since` (Unix milliseconds).
    pub async fn item_stats_since(&self, since: i64) -> Result<Vec<ItemStats>, Error> {
        let rows: Vec<(String, i64, i64, i64)> = crate::store::on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT item_id, shown, clicked, updated_at FROM item_stats \
                 WHERE updated_at >= $1",
            )
            .bind(since)
            .fetch_all(pool)
            .await
        })
        .context("reading how often items were shown and clicked")?;
        Ok(rows
            .into_iter()
            .map(|(item, shown, clicked, updated_at)| ItemStats {
                item,
                shown: shown.max(0) as u64,
                clicked: clicked.max(0) as u64,
                updated_at,
            })
            .collect())
    }

    /// One stored list, by its id.
    pub async fn impression(&self, id: &str) -> Result<Option<Impression>, Error> {
        type Row = (
            String,
            Option<String>,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<i64>,
            i64,
        );
        let row: Option<Row> = crate::store::on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, user_id, surface, method, model_version, algorithm, experiment, \
                 variant, items, explored, served_at FROM impressions WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
        })
        .context("reading a served list")?;
        row.map(
            |(
                id,
                user,
                surface,
                method,
                model_version,
                algorithm,
                experiment,
                variant,
                items,
                explored,
                served_at,
            )| {
                Ok(Impression {
                    items: parse_items(&id, &items)?,
                    explored: explored.and_then(|p| u32::try_from(p).ok()),
                    id,
                    user,
                    surface,
                    method,
                    model_version,
                    algorithm,
                    experiment,
                    variant,
                    served_at,
                })
            },
        )
        .transpose()
    }

    /// The lists `filter` selects and what came of them.
    pub async fn list_outcomes(&self, filter: &ListFilter) -> Result<ListOutcomes, Error> {
        const SHOWN: &str = "SELECT id, n_items FROM impressions \
             WHERE served_at >= $1 AND served_at < $2 \
             AND (CAST($3 AS TEXT) IS NULL OR surface = $3) \
             AND (CAST($4 AS TEXT) IS NULL OR experiment = $4) \
             AND (CAST($5 AS TEXT) IS NULL OR variant = $5)";
        let lengths_sql = format!("SELECT n_items, COUNT(*) FROM ({SHOWN}) s GROUP BY n_items");
        let hits_sql = format!(
            "SELECT o.impression_id, o.position, \
             MAX(CASE WHEN o.clicked THEN 1 ELSE 0 END), \
             MAX(CASE WHEN o.converted THEN 1 ELSE 0 END) \
             FROM outcomes o JOIN ({SHOWN}) s ON s.id = o.impression_id \
             GROUP BY o.impression_id, o.position"
        );
        // (list, position, clicked, converted) as the database returns them.
        type HitRow = (String, i64, i32, i32);
        let (lengths, hits): (Vec<(i64, i64)>, Vec<HitRow>) =
            crate::store::on_pool!(self, pool => {
                let lengths = sqlx::query_as(sqlx::AssertSqlSafe(lengths_sql.clone()))
                    .bind(filter.since)
                    .bind(filter.until)
                    .bind(&filter.surface)
                    .bind(&filter.experiment)
                    .bind(&filter.variant)
                    .fetch_all(pool)
                    .await;
                let hits = sqlx::query_as(sqlx::AssertSqlSafe(hits_sql.clone()))
                    .bind(filter.since)
                    .bind(filter.until)
                    .bind(&filter.surface)
                    .bind(&filter.experiment)
                    .bind(&filter.variant)
                    .fetch_all(pool)
                    .await;
                lengths.and_then(|l| hits.map(|h| (l, h)))
            })
            .context("reading the outcomes of served lists")?;
        Ok(ListOutcomes {
            lengths: lengths
                .into_iter()
                .map(|(n, lists)| (n.clamp(0, i64::from(u32::MAX)) as u32, lists.max(0) as u64))
                .collect(),
            hits: hits
                .into_iter()
                .map(|(list, position, clicked, converted)| Hit {
                    list,
                    position: position.clamp(0, i64::from(u32::MAX)) as u32,
                    clicked: clicked != 0,
                    converted: converted != 0,
                })
                .collect(),
        })
    }

    /// Deletes the lists served before `before` (Unix milliseconds) and their outcomes;
    /// returns how many lists went.
    pub async fn prune_impressions(&self, before: i64) -> Result<u64, Error> {
        let mut tx = self.begin_write().await?;
        let deleted = on_connection!(tx, conn => {
            let outcomes = sqlx::query(
                "DELETE FROM outcomes WHERE impression_id IN \
                 (SELECT id FROM impressions WHERE served_at < $1)",
            )
            .bind(before)
            .execute(&mut *conn)
            .await;
            match outcomes {
                Ok(_) => sqlx::query("DELETE FROM impressions WHERE served_at < $1")
                    .bind(before)
                    .execute(&mut *conn)
                    .await
                    .map(|r| r.rows_affected()),
                Err(e) => Err(e),
            }
        })
        .context("deleting served lists past their retention")?;
        tx.commit().await?;
        Ok(deleted)
    }
}

/// Adds `(shown, clicked)` to each item's counts.
async fn add_item_counts(
    tx: &mut crate::ImportTx,
    counts: HashMap<&str, (i64, i64)>,
) -> Result<(), Error> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut counts: Vec<(&str, (i64, i64))> = counts.into_iter().collect();
    // One order for every writer, so that two servers' batches cannot deadlock on rows.
    counts.sort_unstable_by_key(|&(item, _)| item);
    for chunk in counts.chunks(STATS_PER_STATEMENT) {
        on_connection!(tx, conn => {
            let mut upsert = sqlx::QueryBuilder::new(
                "INSERT INTO item_stats (item_id, shown, clicked, updated_at) ",
            );
            upsert.push_values(chunk, |mut row, &(item, (shown, clicked))| {
                row.push_bind(item)
                    .push_bind(shown)
                    .push_bind(clicked)
                    .push_bind(now);
            });
            upsert.push(
                " ON CONFLICT (item_id) DO UPDATE SET shown = item_stats.shown + excluded.shown, \
                 clicked = item_stats.clicked + excluded.clicked, updated_at = excluded.updated_at",
            );
            upsert.build().execute(&mut *conn).await.map(|_| ())
        })
        .context("counting how often items were shown and clicked")?;
    }
    Ok(())
}

/// The list and position (1-based) that explain `outcome`, if one does.
async fn attribute(
    tx: &mut crate::ImportTx,
    outcome: &Outcome,
    window_ms: i64,
) -> Result<Option<(String, i64)>, Error> {
    if let Some(id) = &outcome.list {
        let named: Option<(Option<String>, String)> = on_connection!(tx, conn => {
            sqlx::query_as("SELECT user_id, items FROM impressions WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
        })
        .context("finding the list an outcome names")?;
        // A list made for someone else is not this user's to claim; an anonymous list
        // (cold start, similar items) is claimed by whoever acts on it.
        if let Some((user, items)) = named
            && user.as_deref().is_none_or(|u| u == outcome.user)
            && let Some(position) = position_of(&parse_items(id, &items)?, &outcome.item)
        {
            return Ok(Some((id.clone(), position)));
        }
    }
    let recent: Vec<(String, String)> = on_connection!(tx, conn => {
        sqlx::query_as(
            "SELECT id, items FROM impressions WHERE user_id = $1 \
             AND served_at <= $2 AND served_at >= $3 \
             ORDER BY served_at DESC LIMIT $4",
        )
        .bind(&outcome.user)
        .bind(outcome.at)
        .bind(outcome.at.saturating_sub(window_ms))
        .bind(RECENT_LISTS)
        .fetch_all(&mut *conn)
        .await
    })
    .context("finding the latest list that showed an item")?;
    for (id, items) in recent {
        if let Some(position) = position_of(&parse_items(&id, &items)?, &outcome.item) {
            return Ok(Some((id, position)));
        }
    }
    Ok(None)
}

fn position_of(items: &[String], item: &str) -> Option<i64> {
    items.iter().position(|i| i == item).map(|p| p as i64 + 1)
}

fn parse_items(id: &str, text: &str) -> Result<Vec<String>, Error> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt {
        what: format!("impressions.items of {id}"),
        reason: e.to_string(),
    })
}
