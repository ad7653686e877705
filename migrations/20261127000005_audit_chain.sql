-- Tamper evidence for the audit log. Each event carries the hash of the event before it and a
-- hash over its own content and that link, both computed by the database on insert, one writer at
-- a time; UPDATE, DELETE and TRUNCATE are refused. `opsdeck audit verify` recomputes the chain
-- with the same function and names the first event that does not fit.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;

-- The one definition of an event's hash (the insert trigger and the verification both use it).
CREATE FUNCTION audit_event_hash(
    prev TEXT, id BIGINT, at TIMESTAMPTZ, actor_user_id BIGINT, actor TEXT, action TEXT,
    environment TEXT, details JSONB
) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\x1f',
        coalesce(prev, ''),
        id::text,
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(actor_user_id::text, ''),
        actor,
        action,
        coalesce(environment, ''),
        details::text
    ), 'UTF8')), 'hex')
$$;

-- Events written before the chain existed are chained now, in order.
DO $$
DECLARE
    r RECORD;
    last TEXT := NULL;
BEGIN
    FOR r IN SELECT * FROM audit_events ORDER BY id LOOP
        UPDATE audit_events
           SET prev_hash = last,
               hash = audit_event_hash(last, r.id, r.at, r.actor_user_id, r.actor, r.action, r.environment, r.details)
         WHERE id = r.id
        RETURNING hash INTO last;
    END LOOP;
END $$;

ALTER TABLE audit_events ALTER COLUMN hash SET NOT NULL;

-- Extending the chain: a transaction-wide lock so concurrent writers (several opsdeck replicas
-- included) line up, and the id taken under that lock so id order is chain order.
CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7220417001);
    NEW.id := nextval(pg_get_serial_sequence('audit_events', 'id'));
    NEW.at := clock_timestamp();
    SELECT hash INTO NEW.prev_hash FROM audit_events ORDER BY id DESC LIMIT 1;
    NEW.hash := audit_event_hash(NEW.prev_hash, NEW.id, NEW.at, NEW.actor_user_id, NEW.actor,
                                 NEW.action, NEW.environment, NEW.details);
    RETURN NEW;
END $$;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
