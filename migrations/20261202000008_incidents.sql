-- The incident room.

-- An incident: what, how bad, which environments, when it started (the first bad observation),
-- who declared it and leads it, where it stands. Every change is also an audit event with the
-- person; notes are audit events too (`incident.note`), so the timeline has one source.
CREATE TABLE incidents (
    id             BIGSERIAL PRIMARY KEY,
    title          TEXT        NOT NULL,
    severity       TEXT        NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'investigating',
    environments   TEXT[]      NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    declared_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    declared_by    TEXT        NOT NULL,
    declared_by_id BIGINT      REFERENCES users (id),
    lead           TEXT,
    lead_id        BIGINT      REFERENCES users (id),
    lead_at        TIMESTAMPTZ,
    mitigated_at   TIMESTAMPTZ,
    resolved_at    TIMESTAMPTZ,
    summary        TEXT,
    -- The timeline as it was at resolution, for the post-incident draft.
    timeline       JSONB
);
CREATE INDEX incidents_open ON incidents (id) WHERE status <> 'resolved';

-- Escalation steps: announced once when they fall due, marked done by a person.
CREATE TABLE incident_steps (
    incident_id  BIGINT      NOT NULL REFERENCES incidents (id),
    step         INT         NOT NULL,
    announced_at TIMESTAMPTZ,
    done_by      TEXT,
    done_by_id   BIGINT      REFERENCES users (id),
    done_at      TIMESTAMPTZ,
    PRIMARY KEY (incident_id, step)
);

-- opsdeck's proposals to declare one ("prod has been down since 07:12 (4 probes)"): one open
-- proposal per environment at a time.
CREATE TABLE incident_proposals (
    id          BIGSERIAL PRIMARY KEY,
    environment TEXT        NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    why         TEXT        NOT NULL,
    title       TEXT        NOT NULL,
    severity    TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    state       TEXT        NOT NULL DEFAULT 'open',
    incident_id BIGINT      REFERENCES incidents (id)
);
CREATE UNIQUE INDEX incident_proposals_one_open ON incident_proposals (environment) WHERE state = 'open';

-- Each environment's health level whenever it changed: the timeline's health entries, the start
-- of an outage, and the down/recovered notifications.
CREATE TABLE level_changes (
    id          BIGSERIAL PRIMARY KEY,
    environment TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    level       TEXT        NOT NULL,
    words       TEXT        NOT NULL
);
CREATE INDEX level_changes_env_at ON level_changes (environment, at);
