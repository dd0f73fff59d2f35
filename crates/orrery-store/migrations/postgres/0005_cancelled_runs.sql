-- A training run can end cancelled (by POST /training/cancel, Ctrl-C in `orrery train` or
-- the server stopping).
ALTER TABLE training_runs DROP CONSTRAINT IF EXISTS training_runs_status_check;
ALTER TABLE training_runs ADD CONSTRAINT training_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled'));
