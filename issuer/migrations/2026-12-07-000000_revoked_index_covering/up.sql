-- Rebuilding a status list reads the indexes of its revoked tokens. With the index holding the
-- index itself, PostgreSQL answers from the index alone (an index-only scan) instead of fetching
-- every revoked row from the table: 10,000 revoked in a 1M-entry list, 24 ms -> 1.5 ms. SQLite
-- uses it as a covering index the same way.
--
-- On PostgreSQL, building it blocks writes to `tokens` while it scans the table once (0.2 s per
-- million tokens here, cached); see "Upgrading" in issuer/README.md.
CREATE INDEX tokens_revoked_in_list ON tokens (status_list, status_idx) WHERE revoked_at IS NOT NULL;
DROP INDEX tokens_revoked_by_list;
