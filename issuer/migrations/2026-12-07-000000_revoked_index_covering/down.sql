CREATE INDEX tokens_revoked_by_list ON tokens (status_list) WHERE revoked_at IS NOT NULL;
DROP INDEX tokens_revoked_in_list;
