-- Runs waiting at an approval gate that approvers were told about, and when they were last
-- reminded: one row per (environment, run), so the notice is sent once whichever replica sees it.
CREATE TABLE gate_notices (
    environment TEXT        NOT NULL,
    run_id      BIGINT      NOT NULL,
    told_at     TIMESTAMPTZ NOT NULL,
    reminded_at TIMESTAMPTZ NOT NULL,
    reminders   INT         NOT NULL DEFAULT 0,
    PRIMARY KEY (environment, run_id)
);
