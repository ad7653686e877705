-- People's GitHub user tokens (for actions taken as them), encrypted by opsdeck before storing.
CREATE TABLE github_tokens (
    user_id            BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    access_token       BYTEA       NOT NULL,
    refresh_token      BYTEA,
    expires_at         TIMESTAMPTZ,
    refresh_expires_at TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
