-- API keys may expire: the lookup returns the expiry so an expired key gets its own clear 401.
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;

DROP FUNCTION api_key_lookup(text);
CREATE FUNCTION api_key_lookup(p_hash text)
RETURNS TABLE (tenant_id text, key_id text, role text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.tenant_id, k.key_id, k.role, k.expires_at FROM api_keys k WHERE k.key_hash = p_hash AND k.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO hyperjourney_app;
