//! Online experiments as stored: their definition and status, and the counts of their
//! served lists and outcomes that results are computed from. The variants are kept as
//! the engine wrote them (JSON); the store only guards the status: one experiment runs
//! at a time, across every server on the database.

use crate::error::Context;
use crate::store::on_pool;
use crate::{Error, Store};

/// An experiment, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExperiment {
    /// Its name, chosen when it was created.
    pub id: String,
    /// What it tests, in the operator's words.
    pub description: String,
    /// `draft`, `running`, `paused` or `stopped`.
    pub status: String,
    /// Mixed into the hash that assigns users, so that two experiments split users
    /// independently.
    pub salt: String,
    /// The variants, as JSON.
    pub variants: String,
    /// The registry versions the variants serve with: kept from deletion until the
    /// experiment stops.
    pub model_versions: Vec<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// When it first ran (Unix milliseconds).
    pub started_at: Option<i64>,
    /// When it stopped (Unix milliseconds).
    pub ended_at: Option<i64>,
}

/// What came of a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Changed; the experiment as it now is.
    Done(StoredExperiment),
    /// No experiment has that id.
    NotFound,
    /// The experiment is in this status, from which the change is not allowed.
    NotAllowed(String),
    /// Another experiment is running (only one may).
    AnotherRunning,
}

/// One user's lists in one variant, and what came of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCounts {
    /// The variant.
    pub variant: String,
    /// The user.
    pub user: String,
    /// Lists served.
    pub lists: u64,
    /// Items shown, over those lists.
    pub shown: u64,
    /// Shown items clicked (each list position once).
    pub clicked: u64,
    /// Shown items converted (each list position once).
    pub converted: u64,
    /// Lists with at least one click.
    pub lists_clicked: u64,
}

/// One variant's lists served within one period, and what came of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCounts {
    /// The variant.
    pub variant: String,
    /// The period's start (Unix milliseconds).
    pub start: i64,
    /// Lists served.
    pub lists: u64,
    /// Items shown.
    pub shown: u64,
    /// Shown items clicked.
    pub clicked: u64,
    /// Shown items converted.
    pub converted: u64,
}

const COLUMNS: &str =
    "id, description, status, salt, variants, model_versions, created_at, started_at, ended_at";

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn experiment_of(row: Row) -> Result<StoredExperiment, Error> {
    let (id, description, status, salt, variants, versions, created_at, started_at, ended_at) = row;
    let model_versions = parse_versions(&id, &versions)?;
    Ok(StoredExperiment {
        id,
        description,
        status,
        salt,
        variants,
        model_versions,
        created_at,
        started_at,
        ended_at,
    })
}

fn parse_versions(id: &str, text: &str) -> Result<Vec<i64>, Error> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt {
        what: format!("experiments.model_versions of {id}"),
        reason: e.to_string(),
    })
}

/// Per list: its positions clicked and converted (each once), for the lists of one
/// experiment (`$1`).
const LIST_OUTCOMES: &str = "SELECT impression_id, \
     COUNT(DISTINCT CASE WHEN clicked THEN position END) AS clicked, \
     COUNT(DISTINCT CASE WHEN converted THEN position END) AS converted \
     FROM outcomes WHERE impression_id IN (SELECT id FROM impressions WHERE experiment = $1) \
     GROUP BY impression_id";

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

impl Store {
    /// Stores a new experiment; `false` when one with its id exists (nothing changes).
    pub async fn create_experiment(&self, experiment: &StoredExperiment) -> Result<bool, Error> {
        let versions = serde_json::json!(experiment.model_versions).to_string();
        let inserted = on_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO experiments ({COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING"
            )))
            .bind(&experiment.id)
            .bind(&experiment.description)
            .bind(&experiment.status)
            .bind(&experiment.salt)
            .bind(&experiment.variants)
            .bind(versions.clone())
            .bind(experiment.created_at)
            .bind(experiment.started_at)
            .bind(experiment.ended_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .context("storing an experiment")?;
        Ok(inserted > 0)
    }

    /// Every experiment, newest first.
    pub async fn experiments(&self) -> Result<Vec<StoredExperiment>, Error> {
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM experiments ORDER BY created_at DESC, id"
            )))
            .fetch_all(pool)
            .await
        })
        .context("listing experiments")?;
        rows.into_iter().map(experiment_of).collect()
    }

    /// One experiment.
    pub async fn experiment(&self, id: &str) -> Result<Option<StoredExperiment>, Error> {
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM experiments WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await
        })
        .context("reading an experiment")?;
        row.map(experiment_of).transpose()
    }

    /// The running experiment, if one is.
    pub async fn running_experiment(&self) -> Result<Option<StoredExperiment>, Error> {
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM experiments WHERE status = 'running'"
            )))
            .fetch_optional(pool)
            .await
        })
        .context("reading the running experiment")?;
        row.map(experiment_of).transpose()
    }

    /// Moves experiment `id` from one of the statuses `from` to `to` at `at` (Unix
    /// milliseconds): the first start sets `started_at`, a stop sets `ended_at`. The
    /// store's unique index refuses a second running experiment, so that two servers
    /// starting two experiments at once cannot both succeed.
    pub async fn transition_experiment(
        &self,
        id: &str,
        from: &[&str],
        to: &str,
        at: i64,
    ) -> Result<Transition, Error> {
        // Read, then update only from the status read: a change by another server in
        // between is seen on the next round.
        loop {
            let Some(current) = self.experiment(id).await? else {
                return Ok(Transition::NotFound);
            };
            if !from.contains(&current.status.as_str()) {
                return Ok(Transition::NotAllowed(current.status));
            }
            let updated = on_pool!(self, pool => {
                sqlx::query(
                    "UPDATE experiments SET status = $1, \
                     started_at = CASE WHEN $1 = 'running' THEN COALESCE(started_at, $2) \
                     ELSE started_at END, \
                     ended_at = CASE WHEN $1 = 'stopped' THEN $2 ELSE ended_at END \
                     WHERE id = $3 AND status = $4",
                )
                .bind(to)
                .bind(at)
                .bind(id)
                .bind(&current.status)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            });
            match updated {
                Ok(0) => continue,
                Ok(_) => {
                    let changed = self.experiment(id).await?;
                    return Ok(changed.map_or(Transition::NotFound, Transition::Done));
                }
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Ok(Transition::AnotherRunning);
                }
                Err(source) => {
                    return Err(Error::Database {
                        context: "changing an experiment's status",
                        source,
                    });
                }
            }
        }
    }

    /// The registry versions that experiments not yet stopped serve with, and the first
    /// such experiment of each.
    pub async fn versions_in_experiments(&self) -> Result<Vec<(i64, String)>, Error> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, model_versions FROM experiments WHERE status <> 'stopped' ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })
        .context("reading the model versions of experiments")?;
        let mut used = Vec::new();
        for (id, text) in rows {
            for version in parse_versions(&id, &text)? {
                if !used.iter().any(|(v, _)| *v == version) {
                    used.push((version, id.clone()));
                }
            }
        }
        Ok(used)
    }

    /// Deletes an experiment that is not running; `false` when there is no such
    /// experiment or it runs. Its lists stay, labelled with its id.
    pub async fn delete_experiment(&self, id: &str) -> Result<bool, Error> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM experiments WHERE id = $1 AND status <> 'running'")
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .context("deleting an experiment")?;
        Ok(deleted > 0)
    }

    /// Per variant and user: the lists of experiment `id` and what came of them. Users
    /// are the units an experiment randomizes, so its statistics are computed over them.
    pub async fn experiment_units(&self, id: &str) -> Result<Vec<UnitCounts>, Error> {
        type UnitRow = (String, String, i64, i64, i64, i64, i64);
        let sql = format!(
            "SELECT i.variant, i.user_id, COUNT(*), CAST(SUM(i.n_items) AS BIGINT), \
             CAST(COALESCE(SUM(o.clicked), 0) AS BIGINT), \
             CAST(COALESCE(SUM(o.converted), 0) AS BIGINT), \
             CAST(SUM(CASE WHEN o.clicked > 0 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM impressions i LEFT JOIN ({LIST_OUTCOMES}) o ON o.impression_id = i.id \
             WHERE i.experiment = $1 AND i.variant IS NOT NULL AND i.user_id IS NOT NULL \
             GROUP BY i.variant, i.user_id ORDER BY i.variant, i.user_id"
        );
        let rows: Vec<UnitRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_all(pool)
                .await
        })
        .context("counting an experiment's lists per user")?;
        Ok(rows
            .into_iter()
            .map(
                |(variant, user, lists, shown, clicked, converted, lists_clicked)| UnitCounts {
                    variant,
                    user,
                    lists: count(lists),
                    shown: count(shown),
                    clicked: count(clicked),
                    converted: count(converted),
                    lists_clicked: count(lists_clicked),
                },
            )
            .collect())
    }

    /// Per variant and period of `period_ms`: the lists of experiment `id` and what came
    /// of them, oldest period first.
    pub async fn experiment_series(
        &self,
        id: &str,
        period_ms: i64,
    ) -> Result<Vec<PeriodCounts>, Error> {
        type PeriodRow = (String, i64, i64, i64, i64, i64);
        let sql = format!(
            "SELECT i.variant, (i.served_at / $2) * $2 AS period, COUNT(*), \
             CAST(SUM(i.n_items) AS BIGINT), CAST(COALESCE(SUM(o.clicked), 0) AS BIGINT), \
             CAST(COALESCE(SUM(o.converted), 0) AS BIGINT) \
             FROM impressions i LEFT JOIN ({LIST_OUTCOMES}) o ON o.impression_id = i.id \
             WHERE i.experiment = $1 AND i.variant IS NOT NULL \
             GROUP BY i.variant, period ORDER BY period, i.variant"
        );
        let rows: Vec<PeriodRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .bind(period_ms.max(1))
                .fetch_all(pool)
                .await
        })
        .context("counting an experiment's lists per period")?;
        Ok(rows
            .into_iter()
            .map(
                |(variant, start, lists, shown, clicked, converted)| PeriodCounts {
                    variant,
                    start,
                    lists: count(lists),
                    shown: count(shown),
                    clicked: count(clicked),
                    converted: count(converted),
                },
            )
            .collect())
    }
}
