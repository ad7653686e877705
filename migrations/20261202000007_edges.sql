-- Guarantees at the edges.

-- One person, one vote. A row of `users` is a person; the ways they sign in are identities
-- (provider, subject). The same human signing in through OpenID Connect and through GitHub is one
-- person once the identities are linked (Connect GitHub, or the same verified email), so every rule
-- that counts people (requester ≠ approver, N distinct approvals, reviewer ≠ breaker) counts them.
CREATE TABLE identities (
    id            BIGSERIAL PRIMARY KEY,
    user_id       BIGINT      NOT NULL REFERENCES users (id),
    provider      TEXT        NOT NULL,
    subject       TEXT        NOT NULL,
    -- Only an address the provider verified: it is what links an unlinked sign-in to a person.
    verified_email TEXT,
    login         TEXT,
    first_sign_in TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (provider, subject)
);
CREATE INDEX identities_user ON identities (user_id);
CREATE INDEX identities_email ON identities (lower(verified_email));

-- Existing people keep their sign-in. GitHub's address was its public one, not known verified.
INSERT INTO identities (user_id, provider, subject, verified_email, login, first_sign_in, last_sign_in)
SELECT id, provider, subject, CASE WHEN provider = 'github' THEN NULL ELSE email END, github_login,
       first_sign_in, last_sign_in
  FROM users;
ALTER TABLE users DROP CONSTRAINT users_provider_subject_key;
ALTER TABLE users ALTER COLUMN provider DROP NOT NULL, ALTER COLUMN subject DROP NOT NULL;
COMMENT ON COLUMN users.provider IS 'unused since identities: kept for rows written before';

-- A break-glass execution is reviewed once, by a person (compared by id, not by name); an
-- outcome nobody knew is resolved by a person with a reason.
ALTER TABLE action_requests
    ADD COLUMN reviewed_by_id BIGINT REFERENCES users (id),
    ADD COLUMN reviewed_at    TIMESTAMPTZ,
    ADD COLUMN resolved_by    TEXT,
    ADD COLUMN resolved_by_id BIGINT REFERENCES users (id),
    ADD COLUMN resolved_at    TIMESTAMPTZ,
    ADD COLUMN resolution     TEXT;

-- Notifications at least once: the last audit event delivered, so a process that takes over
-- continues from there (not from the newest event).
CREATE TABLE notify_cursor (
    name          TEXT PRIMARY KEY,
    last_event_id BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Sessions (tower-sessions' table), created here so `opsdeck serve` needs no DDL and may run as
-- a role that does not own the tables.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expiry ON tower_sessions.session (expiry_date);
