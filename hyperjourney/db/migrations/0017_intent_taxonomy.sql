-- A tenant's own ticket intents: what each means and the team or queue it routes to. The intents themselves
-- are learned from the tenant's labels; this table only adds what labels cannot say (set by a file).
CREATE TABLE intent_taxonomy (
    tenant_id    text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    intent       text NOT NULL CHECK (intent <> ''),
    description  text,
    route        text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, intent)
);
SELECT enable_tenant_rls('intent_taxonomy'::regclass);
