//! The model registry, the metrics history and the training runs.
//!
//! A model version is an opaque blob (whatever the trainer serialized) with the algorithm
//! name, its purpose, its parameters and evaluation metrics as text maps, and a few counts.
//! The store does not read the blob: it keeps versions, marks at most one active per
//! purpose (a ranking model for lists beside a rating model for predictions), pins some,
//! and prunes the old ones. Version numbers are never reused.
//!
//! Metrics history rows are written with each version and outlive it, so that a dashboard
//! can chart every model ever trained. Training runs record who trained what and how it
//! ended, including runs that failed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::Context;
use crate::store::on_pool;
use crate::{Error, Store};

/// Text parameters of a model, e.g. `factors → "64"`.
pub type ParamMap = BTreeMap<String, String>;
/// Metric name → value, e.g. `rmse → 0.87`.
pub type MetricMap = BTreeMap<String, f64>;

/// What a model version is for; one version of each purpose may be active at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelPurpose {
    /// Top-N lists: the model the recommendation flow ranks with.
    #[default]
    Ranking,
    /// Predicted ratings (`predict`, RMSE).
    Rating,
}

impl ModelPurpose {
    /// The purpose as stored and shown: `ranking` or `rating`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelPurpose::Ranking => "ranking",
            ModelPurpose::Rating => "rating",
        }
    }

    fn parse(text: &str, version: i64) -> Result<ModelPurpose, Error> {
        match text {
            "ranking" => Ok(ModelPurpose::Ranking),
            "rating" => Ok(ModelPurpose::Rating),
            other => Err(Error::Corrupt {
                what: format!("model_versions.purpose of row {version}"),
                reason: format!("unknown purpose {other:?}"),
            }),
        }
    }
}

/// What a trainer hands the registry to store as a new version.
#[derive(Debug, Clone)]
pub struct NewModelVersion<'a> {
    /// The algorithm's name (`mf`, `als`, …).
    pub algorithm: &'a str,
    /// What the version is for.
    pub purpose: ModelPurpose,
    /// Its parameters as text.
    pub params: &'a ParamMap,
    /// Evaluation metrics (may be empty when the data was too small to hold out a split).
    pub metrics: &'a MetricMap,
    /// The serialized model.
    pub blob: &'a [u8],
    /// Users, items and interactions the model was trained on.
    pub n_users: u64,
    /// See `n_users`.
    pub n_items: u64,
    /// See `n_users`.
    pub n_interactions: u64,
    /// Wall-clock training time.
    pub train_seconds: f64,
    /// Unix seconds.
    pub created_at: i64,
}

/// A stored model version, without its blob.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelVersion {
    /// The version number, from 1, never reused.
    pub version: i64,
    /// The algorithm's name.
    pub algorithm: String,
    /// What the version is for.
    pub purpose: ModelPurpose,
    /// Its parameters as text.
    pub params: ParamMap,
    /// Evaluation metrics.
    pub metrics: MetricMap,
    /// Size of the blob in bytes.
    pub size_bytes: u64,
    /// Users the model was trained on.
    pub n_users: u64,
    /// Items the model was trained on.
    pub n_items: u64,
    /// Interactions (cells) the model was trained on.
    pub n_interactions: u64,
    /// Wall-clock training time.
    pub train_seconds: f64,
    /// Unix seconds.
    pub created_at: i64,
    /// Whether this is the version of its purpose being served.
    pub active: bool,
    /// Pinned versions are never pruned.
    pub pinned: bool,
}

/// What [`Store::delete_model_version`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteVersion {
    /// The version was deleted.
    Deleted,
    /// No such version.
    NotFound,
    /// The version is active and was kept: activate another one first.
    Active,
    /// An experiment that has not stopped serves a variant with it (its id); kept.
    InExperiment(String),
}

/// One row of the metrics history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsRecord {
    /// The version evaluated (it may since have been deleted).
    pub version: i64,
    /// Its algorithm.
    pub algorithm: String,
    /// The metrics.
    pub metrics: MetricMap,
    /// Unix seconds.
    pub recorded_at: i64,
}

/// How a training run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still training (or interrupted before it could record an outcome).
    Running,
    /// Finished and stored a version.
    Succeeded,
    /// Finished without a version.
    Failed,
    /// Stopped on request (or by the process stopping) before it stored a version.
    Cancelled,
}

/// How a training run ended, as [`Store::finish_training_run`] records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd<'a> {
    /// It stored this version.
    Succeeded(i64),
    /// It failed, for this reason.
    Failed(&'a str),
    /// It was cancelled, for this reason.
    Cancelled(&'a str),
}

impl RunStatus {
    /// The status as stored and shown: `running`, `succeeded`, `failed`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<RunStatus, Error> {
        match text {
            "running" => Ok(RunStatus::Running),
            "succeeded" => Ok(RunStatus::Succeeded),
            "failed" => Ok(RunStatus::Failed),
            "cancelled" => Ok(RunStatus::Cancelled),
            other => Err(Error::Corrupt {
                what: "training_runs.status".into(),
                reason: format!("unknown status {other:?}"),
            }),
        }
    }
}

/// One training run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingRun {
    /// Run number.
    pub id: i64,
    /// The algorithm trained.
    pub algorithm: String,
    /// Its parameters as text.
    pub params: ParamMap,
    /// How it stands.
    pub status: RunStatus,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds, once finished.
    pub finished_at: Option<i64>,
    /// The version it stored, when it succeeded.
    pub version: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
}

type VersionRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    f64,
    i64,
    bool,
    bool,
);

const VERSION_COLUMNS: &str = "version, algorithm, purpose, params, metrics, size_bytes, \
     n_users, n_items, n_interactions, train_seconds, created_at, active, pinned";

fn to_json<T: Serialize>(value: &T, what: &'static str) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|source| Error::Json { what, source })
}

fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    column: &str,
    row: i64,
) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt {
        what: format!("{column} of row {row}"),
        reason: format!("expected a JSON object: {e}"),
    })
}

fn count(n: i64) -> u64 {
    n.max(0) as u64
}

fn version_of(row: VersionRow) -> Result<ModelVersion, Error> {
    let (
        version,
        algorithm,
        purpose,
        params,
        metrics,
        size_bytes,
        n_users,
        n_items,
        n_interactions,
        train_seconds,
        created_at,
        active,
        pinned,
    ) = row;
    Ok(ModelVersion {
        version,
        algorithm,
        purpose: ModelPurpose::parse(&purpose, version)?,
        params: from_json(&params, "model_versions.params", version)?,
        metrics: from_json(&metrics, "model_versions.metrics", version)?,
        size_bytes: count(size_bytes),
        n_users: count(n_users),
        n_items: count(n_items),
        n_interactions: count(n_interactions),
        train_seconds,
        created_at,
        active,
        pinned,
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

type RunRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// Stores a new model version (inactive, unpinned) and its metrics history row, in one
    /// transaction. Returns the version number.
    pub async fn save_model_version(&self, new: &NewModelVersion<'_>) -> Result<i64, Error> {
        let params = to_json(new.params, "model parameters")?;
        let metrics = to_json(new.metrics, "model metrics")?;
        let size = i64::try_from(new.blob.len()).unwrap_or(i64::MAX);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting to save a model version")?;
            let version: i64 = sqlx::query_scalar(
                "INSERT INTO model_versions (algorithm, purpose, params, metrics, blob, \
                 size_bytes, n_users, n_items, n_interactions, train_seconds, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING version",
            )
            .bind(new.algorithm)
            .bind(new.purpose.as_str())
            .bind(&params)
            .bind(&metrics)
            .bind(new.blob)
            .bind(size)
            .bind(to_i64(new.n_users))
            .bind(to_i64(new.n_items))
            .bind(to_i64(new.n_interactions))
            .bind(new.train_seconds)
            .bind(new.created_at)
            .fetch_one(&mut *tx)
            .await
            .context("saving a model version")?;
            sqlx::query(
                "INSERT INTO metrics_history (version, algorithm, metrics, recorded_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(version)
            .bind(new.algorithm)
            .bind(&metrics)
            .bind(new.created_at)
            .execute(&mut *tx)
            .await
            .context("recording model metrics")?;
            tx.commit().await.context("committing a model version")?;
            Ok(version)
        })
    }

    /// Every stored version, newest first.
    pub async fn list_model_versions(&self) -> Result<Vec<ModelVersion>, Error> {
        let rows: Vec<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions ORDER BY version DESC"
            )))
            .fetch_all(pool)
            .await
        })
        .context("listing model versions")?;
        rows.into_iter().map(version_of).collect()
    }

    /// One version, without its blob.
    pub async fn model_version(&self, version: i64) -> Result<Option<ModelVersion>, Error> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions WHERE version = $1"
            )))
            .bind(version)
            .fetch_optional(pool)
            .await
        })
        .context("reading a model version")?;
        row.map(version_of).transpose()
    }

    /// The blob of one version.
    pub async fn model_blob(&self, version: i64) -> Result<Option<Vec<u8>>, Error> {
        on_pool!(self, pool => {
            sqlx::query_scalar("SELECT blob FROM model_versions WHERE version = $1")
                .bind(version)
                .fetch_optional(pool)
                .await
        })
        .context("reading a model blob")
    }

    /// The active version of `purpose`, if one is.
    pub async fn active_model_version(
        &self,
        purpose: ModelPurpose,
    ) -> Result<Option<ModelVersion>, Error> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions WHERE active AND purpose = $1"
            )))
            .bind(purpose.as_str())
            .fetch_optional(pool)
            .await
        })
        .context("reading the active model version")?;
        row.map(version_of).transpose()
    }

    /// The active versions, at most one per purpose, ranking first.
    pub async fn active_model_versions(&self) -> Result<Vec<ModelVersion>, Error> {
        let rows: Vec<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions WHERE active"
            )))
            .fetch_all(pool)
            .await
        })
        .context("reading the active model versions")?;
        let mut active = rows
            .into_iter()
            .map(version_of)
            .collect::<Result<Vec<_>, _>>()?;
        active.sort_by_key(|v| v.purpose != ModelPurpose::Ranking);
        Ok(active)
    }

    /// Makes `version` the only active version of its purpose (a version of the other
    /// purpose stays active). Returns `false` when it does not exist (and then changes
    /// nothing).
    pub async fn activate_model_version(&self, version: i64) -> Result<bool, Error> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting to activate a model version")?;
            // A write first, not a SELECT: on SQLite a transaction that reads and then writes
            // fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked") when another
            // connection wrote in between, while a first write waits for the lock. The
            // no-op update takes the lock and tells whether the version exists.
            let exists = sqlx::query("UPDATE model_versions SET active = active WHERE version = $1")
                .bind(version)
                .execute(&mut *tx)
                .await
                .context("finding a model version")?
                .rows_affected()
                > 0;
            if !exists {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE model_versions SET active = FALSE WHERE active AND purpose = \
                 (SELECT purpose FROM model_versions WHERE version = $1)",
            )
            .bind(version)
            .execute(&mut *tx)
                .await
                .context("deactivating the active model version")?;
            sqlx::query("UPDATE model_versions SET active = TRUE WHERE version = $1")
                .bind(version)
                .execute(&mut *tx)
                .await
                .context("activating a model version")?;
            tx.commit().await.context("committing a model activation")?;
            Ok::<_, Error>(())
        })?;
        // Servers sharing the database switch at once rather than at their next poll.
        self.announce(&crate::Change::ActiveModel).await?;
        Ok(true)
    }

    /// Deletes a version unless it is the active one or an experiment not yet stopped
    /// serves with it.
    pub async fn delete_model_version(&self, version: i64) -> Result<DeleteVersion, Error> {
        if let Some((_, experiment)) = self
            .versions_in_experiments()
            .await?
            .into_iter()
            .find(|(v, _)| *v == version)
        {
            return Ok(DeleteVersion::InExperiment(experiment));
        }
        let active: Option<bool> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT active FROM model_versions WHERE version = $1")
                .bind(version)
                .fetch_optional(pool)
                .await
        })
        .context("finding a model version")?;
        match active {
            None => Ok(DeleteVersion::NotFound),
            Some(true) => Ok(DeleteVersion::Active),
            Some(false) => {
                let deleted = on_pool!(self, pool => {
                    sqlx::query("DELETE FROM model_versions WHERE version = $1 AND NOT active")
                        .bind(version)
                        .execute(pool)
                        .await
                        .map(|r| r.rows_affected())
                })
                .context("deleting a model version")?;
                // Activated by someone else between the two statements: kept.
                Ok(if deleted > 0 {
                    DeleteVersion::Deleted
                } else {
                    DeleteVersion::Active
                })
            }
        }
    }

    /// Pins or unpins a version. Returns `false` when it does not exist.
    pub async fn set_model_pinned(&self, version: i64, pinned: bool) -> Result<bool, Error> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE model_versions SET pinned = $1 WHERE version = $2")
                .bind(pinned)
                .bind(version)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .context("pinning a model version")?;
        Ok(changed > 0)
    }

    /// Deletes the oldest versions beyond the newest `keep`, sparing the active and pinned
    /// ones (which count towards `keep`). Returns the deleted version numbers.
    pub async fn prune_model_versions(&self, keep: usize) -> Result<Vec<i64>, Error> {
        let versions = self.list_model_versions().await?;
        let doomed: Vec<i64> = versions
            .iter()
            .skip(keep)
            .filter(|v| !v.active && !v.pinned)
            .map(|v| v.version)
            .collect();
        let mut deleted = Vec::with_capacity(doomed.len());
        for version in doomed {
            if self.delete_model_version(version).await? == DeleteVersion::Deleted {
                deleted.push(version);
            }
        }
        Ok(deleted)
    }

    /// The metrics history, oldest first, at most the `limit` newest rows.
    pub async fn metrics_history(&self, limit: u32) -> Result<Vec<MetricsRecord>, Error> {
        let rows: Vec<(i64, i64, String, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, version, algorithm, metrics, recorded_at FROM metrics_history \
                 ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .context("reading the metrics history")?;
        rows.into_iter()
            .rev()
            .map(|(id, version, algorithm, metrics, recorded_at)| {
                Ok(MetricsRecord {
                    version,
                    algorithm,
                    metrics: from_json(&metrics, "metrics_history.metrics", id)?,
                    recorded_at,
                })
            })
            .collect()
    }

    /// Records the start of a training run and returns its number.
    pub async fn start_training_run(
        &self,
        algorithm: &str,
        params: &ParamMap,
        started_at: i64,
    ) -> Result<i64, Error> {
        let params = to_json(params, "training parameters")?;
        on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO training_runs (algorithm, params, status, started_at) \
                 VALUES ($1, $2, 'running', $3) RETURNING id",
            )
            .bind(algorithm)
            .bind(&params)
            .bind(started_at)
            .fetch_one(pool)
            .await
        })
        .context("recording a training run")
    }

    /// Records how a training run ended: the version it stored, or why it failed or was
    /// cancelled.
    pub async fn finish_training_run(
        &self,
        id: i64,
        end: RunEnd<'_>,
        finished_at: i64,
    ) -> Result<(), Error> {
        let (status, version, error) = match end {
            RunEnd::Succeeded(version) => (RunStatus::Succeeded, Some(version), None),
            RunEnd::Failed(error) => (RunStatus::Failed, None, Some(error)),
            RunEnd::Cancelled(reason) => (RunStatus::Cancelled, None, Some(reason)),
        };
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE training_runs SET status = $1, version = $2, error = $3, \
                 finished_at = $4 WHERE id = $5",
            )
            .bind(status.as_str())
            .bind(version)
            .bind(error)
            .bind(finished_at)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
        })
        .context("recording the end of a training run")
    }

    /// Marks runs still recorded as running as failed with `reason`: a process that
    /// stopped mid-training could not record their end. Returns how many were marked.
    pub async fn fail_unfinished_training_runs(
        &self,
        reason: &str,
        finished_at: i64,
    ) -> Result<u64, Error> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE training_runs SET status = 'failed', error = $1, finished_at = $2 \
                 WHERE status = 'running'",
            )
            .bind(reason)
            .bind(finished_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })
        .context("closing interrupted training runs")
    }

    /// The newest training runs, newest first.
    pub async fn training_runs(&self, limit: u32) -> Result<Vec<TrainingRun>, Error> {
        let rows: Vec<RunRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, algorithm, params, status, started_at, finished_at, version, error \
                 FROM training_runs ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .context("listing training runs")?;
        rows.into_iter()
            .map(
                |(id, algorithm, params, status, started_at, finished_at, version, error)| {
                    Ok(TrainingRun {
                        id,
                        algorithm,
                        params: from_json(&params, "training_runs.params", id)?,
                        status: RunStatus::parse(&status)?,
                        started_at,
                        finished_at,
                        version,
                        error,
                    })
                },
            )
            .collect()
    }
}
