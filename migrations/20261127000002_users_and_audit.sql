-- People who signed in, by identity provider and subject.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    provider      TEXT        NOT NULL,
    subject       TEXT        NOT NULL,
    display_name  TEXT        NOT NULL,
    email         TEXT,
    github_login  TEXT,
    first_sign_in TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (provider, subject)
);

-- What happened and who did it. Sign-ins land here first; the change-control work adds the hash
-- chain and refuses UPDATE and DELETE.
CREATE TABLE audit_events (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_user_id BIGINT REFERENCES users (id),
    actor         TEXT        NOT NULL,
    action        TEXT        NOT NULL,
    environment   TEXT,
    details       JSONB       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_at ON audit_events (at);
