-- The model registry, the metrics history and the training runs.
-- Versions are never reused (AUTOINCREMENT), so a version number names one model forever.
-- JSON columns hold text written by the application.

CREATE TABLE model_versions (
    version         INTEGER PRIMARY KEY AUTOINCREMENT,
    algorithm       TEXT    NOT NULL,
    params          TEXT    NOT NULL,
    metrics         TEXT    NOT NULL,
    blob            BLOB    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    n_users         INTEGER NOT NULL,
    n_items         INTEGER NOT NULL,
    n_interactions  INTEGER NOT NULL,
    train_seconds   REAL    NOT NULL,
    created_at      INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT FALSE,
    pinned          BOOLEAN NOT NULL DEFAULT FALSE
);

-- At most one active version.
CREATE UNIQUE INDEX model_versions_one_active ON model_versions (active) WHERE active;

-- One row per evaluated version; rows outlive the versions they describe.
CREATE TABLE metrics_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version     INTEGER NOT NULL,
    algorithm   TEXT    NOT NULL,
    metrics     TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
);

CREATE TABLE training_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    algorithm   TEXT    NOT NULL,
    params      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    version     INTEGER,
    error       TEXT
);
