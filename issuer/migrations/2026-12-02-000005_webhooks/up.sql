-- Webhooks (docs/webhooks.md): endpoints, their deliveries and every attempt.
--
-- The outbox is the audit log itself: an event a webhook may want (token.created, .revoked,
-- .rotated, .expiring, .expired) is written with `webhook_pending = 1` in the same transaction
-- as the change; a background round turns pending events into one delivery per subscribed
-- endpoint and clears the mark, in one transaction. Events from before this migration are not
-- pending.
ALTER TABLE audit_events ADD COLUMN webhook_pending BIGINT;
CREATE INDEX audit_webhook_pending ON audit_events (id) WHERE webhook_pending IS NOT NULL;

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    -- NULL: every workspace (registered with the platform credential)
    workspace TEXT,
    url TEXT NOT NULL,
    -- the event types it wants, space-separated
    events TEXT NOT NULL,
    description TEXT NOT NULL,
    -- the signing secret (whsec_...), sealed with the key-encryption key
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT
);

-- One event for one endpoint. `event_id` is the `webhook-id` header: the same on every retry.
CREATE TABLE webhook_deliveries (
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    token_id TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- pending, delivered or failed (gave up after the retry period)
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    -- pending: not before this time; a replica that takes a delivery moves it past its attempt
    -- (a lease), so a replica that dies mid-attempt leaves it to be retried, not lost
    next_attempt_at BIGINT,
    last_attempt_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_token ON webhook_deliveries (webhook_id, token_id, event_id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (webhook_id, created_at, event_id);

CREATE TABLE webhook_attempts (
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- the HTTP status, or NULL when no answer came (error says why)
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (webhook_id, event_id, attempt)
);

-- Expiry notices: the time up to which token.expiring / token.expired have been raised (one
-- row; a round moves it forward only from the value it read, so two replicas never raise one
-- notice twice).
CREATE TABLE notice_clock (
    id INTEGER PRIMARY KEY NOT NULL,
    until_at BIGINT NOT NULL
);
CREATE INDEX tokens_by_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;
