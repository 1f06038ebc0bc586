-- Portal sessions (docs/api.md#portal-sessions): a product's backend opens one for a signed-in
-- user; the page exchanges its one-time code (at most once, within minutes) for a short session.
-- Only hashes of the code and of the session secret are stored.
CREATE TABLE portal_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    secret_hash TEXT UNIQUE,
    workspace TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- member (own tokens) or admin (every token of the workspace)
    role TEXT NOT NULL,
    -- the scopes tokens made in the session may carry (space-separated)
    scopes TEXT NOT NULL,
    return_url TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    code_expires_at BIGINT NOT NULL,
    exchanged_at BIGINT,
    expires_at BIGINT
);
