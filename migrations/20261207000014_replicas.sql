-- Several replicas sharing this database: one leads (runs the pollers that call upstream) under a
-- lease it renews; what it publishes to viewers is kept here, newest per key, and announced with
-- NOTIFY opsdeck_live so every replica serves the same figures with the same sequence numbers.
CREATE TABLE leases (
    name       TEXT        PRIMARY KEY,
    holder     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE live_items (
    key     TEXT   PRIMARY KEY,   -- "env:prod", "cloud:prod", "inbox", "incidents"
    seq     BIGINT NOT NULL,      -- the SSE event id: microseconds since the epoch at publishing
    payload TEXT   NOT NULL       -- the event's JSON, exactly as sent to viewers
);
CREATE INDEX live_items_seq ON live_items (seq);
