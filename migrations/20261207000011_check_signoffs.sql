-- Routine checks signed off by a person (the morning check; "checked by Alice at 08:57"), with
-- the items as they stood at that moment.
CREATE TABLE check_signoffs (
    id      BIGSERIAL PRIMARY KEY,
    kind    TEXT        NOT NULL,
    by_name TEXT        NOT NULL,
    by_id   BIGINT      NOT NULL REFERENCES users (id),
    at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    note    TEXT        NOT NULL,
    items   JSONB       NOT NULL
);
CREATE INDEX check_signoffs_kind ON check_signoffs (kind, id DESC);
