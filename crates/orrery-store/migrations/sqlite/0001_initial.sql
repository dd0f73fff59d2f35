-- Users, items with their categories, and interactions.
-- Timestamps are Unix seconds. JSON columns hold text written by the application;
-- NULL means "not known", so that an upsert can tell an absent field from a stored one.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    ext_id        TEXT    NOT NULL UNIQUE,
    interests     TEXT,
    skill_level   TEXT,
    gender        TEXT,
    age           INTEGER,
    occupation    TEXT,
    zip           TEXT,
    attributes    TEXT,
    email         TEXT    UNIQUE,
    password_hash TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    ext_id      TEXT    NOT NULL UNIQUE,
    title       TEXT,
    tags        TEXT,
    description TEXT,
    year        INTEGER,
    attributes  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- position keeps the order in which the source listed the categories.
CREATE TABLE item_categories (
    item_id  INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    type     TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (item_id, type, value)
) WITHOUT ROWID;

CREATE INDEX item_categories_type_value ON item_categories (type, value);

-- The value must be a finite number: SQLite stores NaN as NULL, and 9e999 is infinity.
CREATE TABLE interactions (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL,
    value   REAL    NOT NULL CHECK (value > -9e999 AND value < 9e999),
    ts      INTEGER NOT NULL,
    UNIQUE (user_id, item_id, kind, ts)
);

-- The unique index above starts with user_id and serves lookups by user.
CREATE INDEX interactions_item ON interactions (item_id);
