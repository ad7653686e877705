-- Runs of scheduled task families as opsdeck saw them: ECS reports a stopped task for about an
-- hour, the morning check looks back a day. One row per task, whichever replica saw it first.
CREATE TABLE scheduled_task_runs (
    environment    TEXT        NOT NULL,
    task_arn       TEXT        NOT NULL,
    family         TEXT        NOT NULL,
    started_at     TIMESTAMPTZ,
    stopped_at     TIMESTAMPTZ,
    exit_code      INT,
    stop_code      TEXT,
    stopped_reason TEXT,
    seen_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (environment, task_arn)
);
CREATE INDEX scheduled_task_runs_recent ON scheduled_task_runs (environment, seen_at DESC);

-- Restore drills: a restore done through change control, marked a drill with what was checked.
CREATE TABLE restore_drills (
    id           BIGSERIAL PRIMARY KEY,
    request_id   BIGINT      NOT NULL UNIQUE REFERENCES action_requests (id),
    environment  TEXT        NOT NULL,
    by_name      TEXT        NOT NULL,
    by_id        BIGINT      NOT NULL REFERENCES users (id),
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    restored     BOOLEAN     NOT NULL,
    data_checked BOOLEAN     NOT NULL,
    cleaned_up   BOOLEAN     NOT NULL,
    note         TEXT        NOT NULL
);

-- Reminders that a routine check was not signed off in time: one per check and local day, so
-- the webhook reminds once whichever replica notices first.
CREATE TABLE check_reminders (
    kind      TEXT        NOT NULL,
    day_start TIMESTAMPTZ NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, day_start)
);
