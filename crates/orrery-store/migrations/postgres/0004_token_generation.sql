-- Access tokens carry the generation of their user's credentials and are accepted only
-- while it is current. Setting a password draws a new random generation, so a password
-- change ends every token issued before it; a deleted user's tokens find no row, and a
-- user re-created under the same id has a generation of its own (or none).
ALTER TABLE users ADD COLUMN token_generation BIGINT;

UPDATE users SET token_generation = (random() * 9.0e18)::bigint
WHERE password_hash IS NOT NULL;
