-- The position (1 is the top) of the item a list's exploration slot placed, if any.
ALTER TABLE impressions ADD COLUMN explored BIGINT;

-- How often each item was shown in a served list and clicked there (attributed
-- outcomes, one per list and position): the evidence the exploration bandit samples
-- from. Updated with each batch of recorded lists; `updated_at` (Unix milliseconds)
-- lets a server read only what changed since it last looked.
CREATE TABLE item_stats (
    item_id    TEXT    PRIMARY KEY,
    shown      BIGINT  NOT NULL,
    clicked    BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE INDEX item_stats_updated ON item_stats (updated_at);
