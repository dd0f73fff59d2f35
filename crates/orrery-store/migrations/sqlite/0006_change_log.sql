-- Change announcements between processes on one SQLite file, as NOTIFY carries them on
-- PostgreSQL: a writer appends what it changed, every server reads what others appended
-- (by origin, a number drawn per process). Only the newest rows are kept.
CREATE TABLE change_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    origin  INTEGER NOT NULL,
    payload TEXT    NOT NULL
);
