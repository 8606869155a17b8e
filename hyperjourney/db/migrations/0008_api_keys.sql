-- API keys per tenant, stored only as SHA-256 hashes of high-entropy tokens.
CREATE TABLE api_keys (
    tenant_id     text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    key_id        text NOT NULL,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('reviewer', 'viewer')),
    key_hash      text NOT NULL UNIQUE,
    prefix        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);

SELECT enable_tenant_rls('api_keys');

-- A request arrives with a key and no tenant: this owner-run function maps exactly one live hash to its tenant,
-- so the app role can authenticate without reading other tenants' keys; everything after binds that tenant.
CREATE FUNCTION api_key_lookup(p_hash text) RETURNS TABLE (tenant_id text, key_id text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.tenant_id, k.key_id, k.role FROM api_keys k WHERE k.key_hash = p_hash AND k.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO hyperjourney_app;
