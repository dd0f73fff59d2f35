-- Every served list (an impression), under the id its answer carried
-- (`recommendation_id`): for whom, where, how it was made, and its items in order (a JSON
-- array; position 1 is the first). One row per list keeps recording cheap beside serving.
CREATE TABLE impressions (
    id            TEXT    PRIMARY KEY,
    user_id       TEXT,
    surface       TEXT    NOT NULL,
    method        TEXT    NOT NULL,
    model_version INTEGER,
    algorithm     TEXT,
    experiment    TEXT,
    variant       TEXT,
    items         TEXT    NOT NULL,
    n_items       INTEGER NOT NULL,
    served_at     INTEGER NOT NULL
);

-- An outcome without an id is attributed to the user's latest list showing its item.
CREATE INDEX impressions_user_served ON impressions (user_id, served_at);
-- Metrics over a period, and pruning what is older than the retention.
CREATE INDEX impressions_served ON impressions (served_at);

-- What a user did with a listed item: one interaction attributed to the list that showed
-- the item, at its position. `clicked` counts engagement (anything but a skip),
-- `converted` the kinds the configuration counts as a conversion.
CREATE TABLE outcomes (
    impression_id TEXT    NOT NULL REFERENCES impressions (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    item_id       TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    clicked       INTEGER NOT NULL,
    converted     INTEGER NOT NULL,
    at            INTEGER NOT NULL
);

CREATE INDEX outcomes_impression ON outcomes (impression_id, position);
