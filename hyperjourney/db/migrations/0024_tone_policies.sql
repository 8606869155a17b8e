-- One versioned support tone policy per tenant (issue 16.3): the Tone agent answers with the active version and the
-- copilot eval grades against the same one. No row: the packaged default (guardrails/tone_policy.py).
CREATE TABLE tone_policies (
    tenant_id   text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    version     integer NOT NULL CHECK (version > 0),
    document    jsonb NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);
CREATE UNIQUE INDEX tone_policies_one_active ON tone_policies (tenant_id) WHERE active;
SELECT enable_tenant_rls('tone_policies'::regclass);
