-- Routines and deploy safety: change freezes declared by people, and overrides of the
-- pre-deploy checklist or a freeze (reviewed afterwards by someone else, once). Configured
-- freeze windows live in the configuration, not here.

CREATE TABLE freezes (
    id             BIGSERIAL PRIMARY KEY,
    reason         TEXT        NOT NULL,
    starts_at      TIMESTAMPTZ NOT NULL,
    ends_at        TIMESTAMPTZ NOT NULL,
    declared_by    TEXT        NOT NULL,
    declared_by_id BIGINT      REFERENCES users (id),
    -- Ended early by an approver.
    ended_at       TIMESTAMPTZ,
    ended_by       TEXT,
    ended_by_id    BIGINT      REFERENCES users (id),
    CHECK (ends_at > starts_at)
);
CREATE INDEX freezes_in_force ON freezes (ends_at) WHERE ended_at IS NULL;

CREATE TABLE overrides (
    id             BIGSERIAL PRIMARY KEY,
    environment    TEXT        NOT NULL,
    -- {"Deploy": {"run_id": …, "sha": …}} or {"Request": {"id": …}}.
    subject        JSONB       NOT NULL,
    -- The failed checklist items or the freeze, in words.
    what           JSONB       NOT NULL,
    reason         TEXT        NOT NULL,
    by_name        TEXT        NOT NULL,
    by_id          BIGINT      NOT NULL REFERENCES users (id),
    at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    reviewed_by    TEXT,
    reviewed_by_id BIGINT      REFERENCES users (id),
    reviewed_at    TIMESTAMPTZ
);
CREATE INDEX overrides_unreviewed ON overrides (id) WHERE reviewed_at IS NULL;
