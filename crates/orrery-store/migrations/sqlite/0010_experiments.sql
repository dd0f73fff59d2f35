-- Online experiments: variants (a JSON array, as the engine defines them) between which
-- users are split by a salted hash of their id. A draft becomes running, may pause and
-- run again, and ends stopped; its lists carry its id in `impressions.experiment`.
-- `model_versions` (a JSON array) lists the registry versions its variants serve with:
-- they are not deleted while the experiment is not stopped.
CREATE TABLE experiments (
    id          TEXT   PRIMARY KEY,
    description TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    salt        TEXT   NOT NULL,
    variants    TEXT   NOT NULL,
    model_versions TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    ended_at    BIGINT
);

-- One experiment runs at a time, whichever server starts it: a second start violates
-- this index.
CREATE UNIQUE INDEX experiments_one_running ON experiments (status) WHERE status = 'running';

-- An experiment's results read its lists only.
CREATE INDEX impressions_experiment ON impressions (experiment, variant);
