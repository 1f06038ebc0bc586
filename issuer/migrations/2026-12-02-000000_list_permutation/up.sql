-- A list hands out its indexes through a keyed pseudorandom permutation of its allocation
-- counter `used` (issuer/src/status/permutation.rs): random-looking, never repeated, no
-- retries. Lists created before this migration have no key and are no longer allocated into
-- (they stay published while tokens point at them).
ALTER TABLE status_lists ADD COLUMN perm_key TEXT;
