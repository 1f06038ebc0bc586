ALTER TABLE status_events DROP COLUMN kind;
ALTER TABLE signing_keys DROP COLUMN activates_at;
