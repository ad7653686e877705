-- The post-deploy watch: one per deploy run that completed, with the baseline before it and the
-- worst verdict seen while it ran. One row per (environment, run) whichever replica sees the
-- deploy first.
CREATE TABLE deploy_watches (
    id          BIGSERIAL PRIMARY KEY,
    environment TEXT        NOT NULL,
    run_id      BIGINT      NOT NULL,
    sha         TEXT        NOT NULL,
    what        TEXT        NOT NULL,
    deployed_at TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    baseline    JSONB       NOT NULL,
    -- fine, worse, failed: the worst seen so far.
    worst       TEXT        NOT NULL DEFAULT 'fine',
    reasons     JSONB       NOT NULL DEFAULT '[]',
    ended_at    TIMESTAMPTZ,
    UNIQUE (environment, run_id)
);
