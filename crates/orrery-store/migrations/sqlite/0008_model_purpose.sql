-- A version serves one purpose: `ranking` (top-N lists) or `rating` (predicted ratings).
-- One version of each purpose may be active at once.
ALTER TABLE model_versions ADD COLUMN purpose TEXT NOT NULL DEFAULT 'ranking'
    CHECK (purpose IN ('ranking', 'rating'));

-- Versions stored before purposes were kept: the algorithms that predicted ratings then.
UPDATE model_versions SET purpose = 'rating'
WHERE algorithm IN ('baseline', 'mf', 'svdpp', 'layer4');

DROP INDEX model_versions_one_active;
CREATE UNIQUE INDEX model_versions_one_active ON model_versions (purpose) WHERE active;
