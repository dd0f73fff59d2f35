-- Text embeddings of items, one row per item and encoder. The vector is `dim` little-endian
-- f32 values; text_hash fingerprints the text it was computed from, so that an unchanged
-- item is not embedded again (after a restart, say) and a changed one is.

CREATE TABLE item_embeddings (
    item_id    BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    model      TEXT    NOT NULL,
    dim        INTEGER NOT NULL CHECK (dim > 0),
    vector     BYTEA   NOT NULL,
    text_hash  BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (item_id, model)
);
