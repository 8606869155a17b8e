-- Per-tenant content rules for the guard (banned claims, competitors, footers, limits), versioned like policies.
CREATE TABLE tenant_content_rules (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    version     text NOT NULL,
    document    jsonb NOT NULL,
    source      text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);
CREATE UNIQUE INDEX tenant_content_rules_one_active ON tenant_content_rules (tenant_id) WHERE active;
SELECT enable_tenant_rls('tenant_content_rules');
