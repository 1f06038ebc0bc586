-- The push channel's log (docs/protocol.md#push): one row per list a committed transaction
-- changed, numbered by `seq` in commit order. `seq` comes from the single `event_head` row,
-- which a changing transaction updates last (its lock is held to commit), so a reader that has
-- seen `seq` n has seen every event before it: replicas stream the log by sequence, and
-- PostgreSQL NOTIFY only wakes them.
CREATE TABLE status_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    list TEXT NOT NULL,
    -- the list's version after the change (0: the list was created)
    version BIGINT NOT NULL,
    -- space-separated indexes whose status became non-zero
    indexes TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE TABLE event_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
INSERT INTO event_head (id, seq) VALUES (1, 0);
