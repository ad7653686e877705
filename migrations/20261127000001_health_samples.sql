-- Health probe samples: one row per endpoint per probe round, kept for the configured retention.
CREATE TABLE health_samples (
    id              BIGSERIAL PRIMARY KEY,
    environment     TEXT        NOT NULL,
    endpoint        TEXT        NOT NULL CHECK (endpoint IN ('health', 'ready', 'live')),
    taken_at        TIMESTAMPTZ NOT NULL,
    url             TEXT        NOT NULL,
    ok              BOOLEAN     NOT NULL,
    http_status     INTEGER,
    namelookup_ms   DOUBLE PRECISION,
    connect_ms      DOUBLE PRECISION,
    appconnect_ms   DOUBLE PRECISION,
    pretransfer_ms  DOUBLE PRECISION,
    starttransfer_ms DOUBLE PRECISION,
    total_ms        DOUBLE PRECISION,
    failure_kind    TEXT,
    failure_message TEXT,
    body            JSONB,
    remote_addr     TEXT
);

CREATE INDEX health_samples_env_endpoint_time ON health_samples (environment, endpoint, taken_at);
CREATE INDEX health_samples_env_time ON health_samples (environment, taken_at DESC);
CREATE INDEX health_samples_time ON health_samples (taken_at);
