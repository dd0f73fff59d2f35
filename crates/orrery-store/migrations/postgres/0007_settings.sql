-- Facts about the stored data as a whole, by name: the rating scale (`rating_scale`,
-- written `LO..HI`), kept by imports so that the server checks new ratings against it.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Data stored before scales were kept: its ratings span their scale.
INSERT INTO settings (name, value)
SELECT 'rating_scale', CAST(MIN(value) AS TEXT) || '..' || CAST(MAX(value) AS TEXT)
FROM interactions
WHERE kind = 'rating'
HAVING COUNT(*) > 0 AND MIN(value) < MAX(value);
