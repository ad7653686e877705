-- Change control: requests for risky actions, the decisions on them, and their execution.
-- A request is executed at most once: a worker claims an approved row (FOR UPDATE SKIP LOCKED),
-- holds a session advisory lock on its id while it calls AWS or GitHub, and marks it executing
-- before the call. A row left executing with nobody holding that lock belonged to a process that
-- died mid-call: it becomes outcome_unknown, never retried.
CREATE TABLE action_requests (
    id              BIGSERIAL PRIMARY KEY,
    environment     TEXT        NOT NULL,
    kind            TEXT        NOT NULL,
    action          JSONB       NOT NULL,
    reason          TEXT        NOT NULL,
    requester_id    BIGINT      NOT NULL REFERENCES users (id),
    requester       TEXT        NOT NULL,
    requested_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    policy          JSONB       NOT NULL,
    state           TEXT        NOT NULL DEFAULT 'pending',
    break_glass     BOOLEAN     NOT NULL DEFAULT false,
    -- A break-glass execution waits for a second person's review.
    reviewed_by     TEXT,
    evidence        JSONB       NOT NULL DEFAULT '{}',
    executing_since TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    result          TEXT,
    executions      INT         NOT NULL DEFAULT 0
);
CREATE INDEX action_requests_state ON action_requests (state);

CREATE TABLE action_decisions (
    request_id  BIGINT      NOT NULL REFERENCES action_requests (id),
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    who         TEXT        NOT NULL,
    approve     BOOLEAN     NOT NULL,
    break_glass BOOLEAN     NOT NULL DEFAULT false,
    comment     TEXT        NOT NULL DEFAULT '',
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, user_id)
);
