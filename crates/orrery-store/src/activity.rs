//! Interactions counted per day, for charts of how much is coming in.
//!
//! Days are UTC days of the interactions' own timestamps (`ts / 86400`), and the window
//! ends at the newest interaction rather than today: an imported dataset such as
//! MovieLens 100K (1997–98) still charts its last weeks.

use serde::Serialize;

use crate::error::Context;
use crate::store::on_pool;
use crate::{Error, Store};

/// Seconds in a UTC day.
const DAY: i64 = 86_400;

/// The interactions of one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Interactions whose timestamp falls on that day.
    pub count: u64,
}

impl Store {
    /// Interactions per UTC day over the `days` days that end with the day of the newest
    /// interaction, oldest first. Days without interactions are absent; nothing stored
    /// gives an empty list.
    pub async fn interactions_per_day(&self, days: u32) -> Result<Vec<DayCount>, Error> {
        let days = i64::from(days.max(1));
        // The newest day first (an indexed MAX would need an index on ts; one scan of
        // the column is what the grouping costs anyway).
        let newest: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(ts) FROM interactions")
                .fetch_one(pool)
                .await
        })
        .context("finding the newest interaction")?;
        let Some(newest) = newest else {
            return Ok(Vec::new());
        };
        let first_day = newest.div_euclid(DAY) - (days - 1);
        let since = first_day.saturating_mul(DAY);
        let rows: Vec<(i64, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ts / 86400 AS day, COUNT(*) FROM interactions WHERE ts >= $1 \
                 GROUP BY ts / 86400 ORDER BY day",
            )
            .bind(since)
            .fetch_all(pool)
            .await
        })
        .context("counting interactions per day")?;
        Ok(rows
            .into_iter()
            .map(|(day, count)| DayCount {
                day,
                count: count.max(0) as u64,
            })
            .collect())
    }
}
