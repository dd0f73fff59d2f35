-- A training run can end cancelled (by POST /training/cancel, Ctrl-C in `orrery train` or
-- the server stopping). SQLite cannot change a CHECK constraint in place, so the table is
-- made again with the wider one and its rows copied over.
CREATE TABLE training_runs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    algorithm   TEXT    NOT NULL,
    params      TEXT    NOT NULL,
    status      TEXT    NOT NULL
        CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    version     INTEGER,
    error       TEXT
);

INSERT INTO training_runs_new (id, algorithm, params, status, started_at, finished_at, version, error)
SELECT id, algorithm, params, status, started_at, finished_at, version, error FROM training_runs;

DROP TABLE training_runs;

ALTER TABLE training_runs_new RENAME TO training_runs;
