-- Hardening of the review hand-off, run resumes, redaction tokens and the customer-name PII check.

-- Resume leases: the process answering an approval holds the run until lease_expires_at (renewed while it
-- works); after a crash another process may take the run over once the lease has expired.
ALTER TABLE agent_runs ADD COLUMN resumed_by text, ADD COLUMN lease_expires_at timestamptz;

-- Actions the policy sends to review wait in the outbox as 'held' (never claimed by a dispatcher) until the
-- review item that holds them is approved (released to 'pending') or rejected ('cancelled').
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('held', 'pending', 'sending', 'delivered', 'dead', 'cancelled', 'refused', 'rolled_back'));
ALTER TABLE review_items ADD COLUMN outbox_action_id bigint, ADD COLUMN preview jsonb;
CREATE UNIQUE INDEX review_items_outbox ON review_items (tenant_id, outbox_action_id)
    WHERE outbox_action_id IS NOT NULL;

-- Per-tenant secrets (e.g. the redaction HMAC key), created once on first use. The application may read
-- and create them under RLS but never change or delete one: a changed key would change every token.
CREATE TABLE tenant_secrets (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    name        text NOT NULL,
    secret      bytea NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
SELECT enable_tenant_rls('tenant_secrets');
REVOKE UPDATE, DELETE, TRUNCATE ON tenant_secrets FROM hyperjourney_app;

-- A counter per tenant that moves whenever its customers change, so a cached name index knows it is stale
-- with one primary-key read. Statement triggers keep bulk loads (COPY) at one bump per statement.
CREATE TABLE customer_names_version (
    tenant_id   text PRIMARY KEY DEFAULT current_tenant(),
    version     bigint NOT NULL DEFAULT 1
);
SELECT enable_tenant_rls('customer_names_version');

CREATE FUNCTION bump_customer_names_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO customer_names_version AS v (tenant_id, version)
    SELECT DISTINCT tenant_id, 1 FROM changed_rows
    ON CONFLICT (tenant_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_names_insert AFTER INSERT ON customers REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_customer_names_version();
CREATE TRIGGER customers_names_update AFTER UPDATE ON customers REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_customer_names_version();
CREATE TRIGGER customers_names_delete AFTER DELETE ON customers REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_customer_names_version();
