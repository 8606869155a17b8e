-- The application role: no superuser, no BYPASSRLS; a connection sees only the tenant named in the
-- session setting hyperjourney.tenant_id (unset: no rows at all).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hyperjourney_app') THEN
        CREATE ROLE hyperjourney_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

CREATE FUNCTION current_tenant() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('hyperjourney.tenant_id', true), '') $$;

-- Later migrations call this for each tenant table they add.
CREATE FUNCTION enable_tenant_rls(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = current_tenant()) '
                   'WITH CHECK (tenant_id = current_tenant())', tbl);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO hyperjourney_app', tbl);
END
$$;

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['tenants', 'customers', 'identities', 'identity_merges', 'consents', 'events', 'products',
                  'orders', 'order_lines', 'returns', 'tickets', 'messages', 'documents', 'audit_log',
                  'audit_heads']) AS t;

GRANT USAGE ON SCHEMA public TO hyperjourney_app;
GRANT SELECT ON current_consents TO hyperjourney_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hyperjourney_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO hyperjourney_app;

-- Tenants are created by the admin; the audit log is append-only for the application.
REVOKE INSERT, UPDATE, DELETE ON tenants FROM hyperjourney_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM hyperjourney_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_heads FROM hyperjourney_app;
