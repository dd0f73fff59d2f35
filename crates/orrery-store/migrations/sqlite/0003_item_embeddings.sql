-- Text embeddings of items, one row per item and encoder. The vector is `dim` little-endian
-- f32 values; text_hash fingerprints the text it was computed from, so that an unchanged
-- item is not embedded again (after a restart, say) and a changed one is.

CREATE TABLE item_embeddings (
    item_id    INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    model      TEXT    NOT NULL,
    dim        INTEGER NOT NULL CHECK (dim > 0),
    vector     BLOB    NOT NULL,
    text_hash  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (item_id, model)
) WITHOUT ROWID;
