//! Facts about the stored data as a whole, kept in the `settings` table: the scale that
//! its ratings are on.
//!
//! An import keeps the scale it read inside its own transaction, so that the data and its
//! scale land together; the server reads it to check new ratings.

use orrery_core::RatingScale;
use sqlx::{Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::error::Context;
use crate::import::ImportTx;
use crate::store::Pool;
use crate::{Error, Store};

/// The name the rating scale is kept under.
const RATING_SCALE: &str = "rating_scale";

impl Store {
    /// The scale of the stored ratings, if one was kept (by an import, or by the migration
    /// that introduced scales, from the ratings then stored).
    pub async fn rating_scale(&self) -> Result<Option<RatingScale>, Error> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let mut conn = pool.acquire().await.context("reading the rating scale")?;
                read_rating_scale::<sqlx::Sqlite>(&mut conn).await
            }
            Pool::Postgres(pool) => {
                let mut conn = pool.acquire().await.context("reading the rating scale")?;
                read_rating_scale::<sqlx::Postgres>(&mut conn).await
            }
        }
    }
}

impl ImportTx {
    /// Keeps `scale` as the scale of the stored ratings, in this import's transaction, and
    /// returns the scale kept.
    ///
    /// With `replace`, `scale` is kept as given (a scale the user stated), and every
    /// rating stored, earlier ones and this import's, must lie on it. Otherwise (a scale
    /// read off the data) the kept scale is widened to cover it.
    pub async fn keep_rating_scale(
        &mut self,
        scale: RatingScale,
        replace: bool,
    ) -> Result<RatingScale, Error> {
        match self.connection() {
            crate::import::Connection::Sqlite(conn) => {
                keep::<sqlx::Sqlite>(conn, scale, replace).await
            }
            crate::import::Connection::Postgres(conn) => {
                keep::<sqlx::Postgres>(conn, scale, replace).await
            }
        }
    }
}

pub(crate) async fn read_rating_scale<DB>(
    conn: &mut DB::Connection,
) -> Result<Option<RatingScale>, Error>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    DB::Arguments: IntoArguments<DB>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(RATING_SCALE)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the rating scale")?;
    stored
        .map(|text| {
            text.parse::<RatingScale>().map_err(|e| Error::Corrupt {
                what: "settings.rating_scale".to_owned(),
                reason: e.to_string(),
            })
        })
        .transpose()
}

async fn keep<DB>(
    conn: &mut DB::Connection,
    scale: RatingScale,
    replace: bool,
) -> Result<RatingScale, Error>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> f64: Decode<'r, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB>,
    DB::Arguments: IntoArguments<DB>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (Option<f64>, Option<f64>): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let kept = if replace {
        let (low, high): (Option<f64>, Option<f64>) = sqlx::query_as(
            "SELECT CAST(MIN(value) AS DOUBLE PRECISION), CAST(MAX(value) AS DOUBLE PRECISION) \
             FROM interactions WHERE kind = 'rating'",
        )
        .fetch_one(&mut *conn)
        .await
        .context("reading the range of the stored ratings")?;
        if let (Some(low), Some(high)) = (low, high)
            && !(scale.contains(low as f32) && scale.contains(high as f32))
        {
            return Err(Error::Invalid {
                what: format!("the rating scale {scale}"),
                reason: format!(
                    "the stored ratings range from {low} to {high}, which the scale must cover"
                ),
            });
        }
        scale
    } else {
        match read_rating_scale::<DB>(conn).await? {
            Some(stored) => stored.covering(&scale),
            None => scale,
        }
    };
    sqlx::query(
        "INSERT INTO settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(RATING_SCALE)
    .bind(kept.to_string())
    .execute(&mut *conn)
    .await
    .context("keeping the rating scale")?;
    Ok(kept)
}
