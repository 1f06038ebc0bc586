-- Times are seconds since the Unix epoch (BIGINT); the API renders them as RFC 3339.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY NOT NULL,
    max_expiry_days BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    -- base64(nonce || AES-256-GCM(pkcs8)), associated data = kid
    private_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE status_lists (
    id TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL UNIQUE,
    capacity BIGINT NOT NULL,
    used BIGINT NOT NULL,
    -- bumped in the transaction of every revocation: replicas rebuild when it moves
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY NOT NULL,
    workspace TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hint TEXT NOT NULL,
    kid TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    lifetime_secs BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT,
    revokes_at BIGINT,
    rotated_from TEXT,
    rotated_to TEXT,
    created_by TEXT,
    status_list TEXT NOT NULL,
    status_idx BIGINT NOT NULL,
    -- an index is never handed out twice, by any replica
    UNIQUE (status_list, status_idx)
);
CREATE INDEX tokens_by_workspace ON tokens (workspace, created_at, id);
CREATE INDEX tokens_revoked_by_list ON tokens (status_list) WHERE revoked_at IS NOT NULL;
CREATE INDEX tokens_pending_revocation ON tokens (revokes_at) WHERE revokes_at IS NOT NULL AND revoked_at IS NULL;
CREATE INDEX tokens_by_kid ON tokens (kid);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    workspace TEXT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    token_id TEXT,
    actor_token TEXT,
    actor_subject TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_by_workspace ON audit_events (workspace, at, id);
