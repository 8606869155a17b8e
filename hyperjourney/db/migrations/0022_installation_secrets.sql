-- Installation-wide secrets (log redaction key, UI session signing secret) for processes that have no
-- writable home: every instance reads the same value instead of making its own. The first caller's random
-- candidate is kept; the table itself is out of the application role's reach.
CREATE TABLE installation_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION installation_secret(secret_name text, candidate bytea) RETURNS bytea
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    kept bytea;
BEGIN
    IF length(candidate) < 32 THEN
        RAISE EXCEPTION 'a secret candidate needs at least 32 bytes';
    END IF;
    INSERT INTO installation_secrets (name, value) VALUES (secret_name, candidate) ON CONFLICT DO NOTHING;
    SELECT value INTO kept FROM installation_secrets WHERE name = secret_name;
    RETURN kept;
END
$$;
REVOKE ALL ON FUNCTION installation_secret(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION installation_secret(text, bytea) TO hyperjourney_app;
