-- A new key is published before it signs: it becomes the signing key at `activates_at`, a moment
-- stored once so every replica switches together (docs/keys.md). Existing keys are active.
ALTER TABLE signing_keys ADD COLUMN activates_at BIGINT;
UPDATE signing_keys SET activates_at = created_at;
-- The push channel also announces key changes (kind 'keys'), so verifiers fetch the JWKS at once.
ALTER TABLE status_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'status';
