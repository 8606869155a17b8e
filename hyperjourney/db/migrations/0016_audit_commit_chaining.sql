-- Audit rows are chained when their transaction commits, not when they are inserted.
--
-- Before, the BEFORE INSERT trigger took the tenant's chain lock at the first audited write and held it to
-- commit, so a canvas launch (18-39 s) made every audited write of the tenant wait behind it. Now an insert
-- only stamps the row; a deferred constraint trigger links it to the chain head at COMMIT, so the lock is
-- held only while the committing transaction links its own rows. seq is the commit order; ts stays the time
-- of the write. Until its transaction commits a row has no seq and no hash (and nobody else can see it).

ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD PRIMARY KEY (tenant_id, id);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_tenant_seq UNIQUE (tenant_id, seq);
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hyperjourney_app;

DROP TRIGGER audit_chain ON audit_log;
DROP FUNCTION audit_chain();

-- The writer cannot choose its own place in the chain or its hash.
CREATE FUNCTION audit_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.seq := NULL;
    NEW.prev_hash := NULL;
    NEW.hash := NULL;
    NEW.ts := date_trunc('microseconds', clock_timestamp());
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_stamp BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_stamp();

-- Runs as the owner at COMMIT (rows in the order they were written) so the app role can append without
-- being able to touch the chain head or any hash.
CREATE FUNCTION audit_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_heads%ROWTYPE;
    linked text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit:' || NEW.tenant_id));
    SELECT * INTO head FROM audit_heads WHERE tenant_id = NEW.tenant_id;
    IF NOT FOUND THEN
        head.seq := 0;
        head.hash := repeat('0', 64);
    END IF;
    linked := audit_row_hash(head.hash, NEW.tenant_id, head.seq + 1, NEW.ts, NEW.actor, NEW.action, NEW.entity,
                             NEW.payload);
    UPDATE audit_log SET seq = head.seq + 1, prev_hash = head.hash, hash = linked
    WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
    INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (NEW.tenant_id, head.seq + 1, linked)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER audit_link AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_link();

-- Signed chain heads (audit checkpoint). The MAC key never enters the database: the table only lets
-- `audit verify` notice a rewritten chain without the exported file; the file notices deleted rows.
CREATE TABLE audit_checkpoints (
    tenant_id  text NOT NULL,
    seq        bigint NOT NULL,
    hash       text NOT NULL,
    at         timestamptz NOT NULL,
    mac        text NOT NULL,
    PRIMARY KEY (tenant_id, seq, at)
);
SELECT enable_tenant_rls('audit_checkpoints'::regclass);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM hyperjourney_app;
