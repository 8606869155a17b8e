-- Guardrails and policy: versioned tenant policies, the contact log that caps and budgets count,
-- the human review queue, and the tenant-controlled PII vault for reversible redaction.

CREATE TABLE tenant_policies (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    version     text NOT NULL,
    document    jsonb NOT NULL,
    source      text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);
CREATE UNIQUE INDEX tenant_policies_one_active ON tenant_policies (tenant_id) WHERE active;
SELECT enable_tenant_rls('tenant_policies');

-- One row per message actually sent (or scheduled) to a customer; caps, fatigue and budgets read it.
CREATE TABLE contact_log (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    contact_id   bigserial,
    customer_id  text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'webhook')),
    purpose      text NOT NULL CHECK (purpose IN ('marketing', 'transactional', 'support')),
    campaign_id  text,
    product_ids  jsonb NOT NULL DEFAULT '[]'::jsonb,
    cost         numeric(12, 4) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    sent_at      timestamptz NOT NULL,
    policy_version text NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);
CREATE INDEX contact_log_customer ON contact_log (tenant_id, customer_id, sent_at);
CREATE INDEX contact_log_campaign ON contact_log (tenant_id, campaign_id, sent_at);
SELECT enable_tenant_rls('contact_log');

CREATE TABLE review_items (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    item_id      text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('asset', 'action')),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    title        text NOT NULL,
    payload      jsonb NOT NULL,
    evidence     jsonb NOT NULL DEFAULT '[]'::jsonb,
    reasons      jsonb NOT NULL DEFAULT '[]'::jsonb,
    risk         jsonb NOT NULL DEFAULT '[]'::jsonb,
    submitted_by text NOT NULL,
    run_id       text,
    revision     integer NOT NULL DEFAULT 1,
    reviewer     text,
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    PRIMARY KEY (tenant_id, item_id)
);
CREATE INDEX review_items_pending ON review_items (tenant_id, created_at) WHERE status = 'pending';
SELECT enable_tenant_rls('review_items');

-- Whether this tenant keeps the token -> original mapping of redacted PII (off unless switched on).
CREATE TABLE tenant_privacy (
    tenant_id             text PRIMARY KEY DEFAULT current_tenant(),
    keep_redaction_map    boolean NOT NULL DEFAULT false,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
SELECT enable_tenant_rls('tenant_privacy');

CREATE TABLE pii_vault (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    token        text NOT NULL,
    original     text NOT NULL,
    kind         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token)
);
SELECT enable_tenant_rls('pii_vault');
