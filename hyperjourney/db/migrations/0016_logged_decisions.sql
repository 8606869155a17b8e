-- Logged bandit rounds imported from any source (`hyperjourney ingest decisions`), kept apart from the
-- project's own `decisions` so off-policy evaluation can read public or third-party logs under RLS.
CREATE TABLE logged_decisions (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    log          text NOT NULL,
    round_id     text NOT NULL,
    ts           timestamptz,
    context      jsonb NOT NULL DEFAULT '{}'::jsonb,
    candidates   jsonb NOT NULL DEFAULT '[]'::jsonb,
    action       text NOT NULL,
    propensity   double precision NOT NULL CHECK (propensity > 0 AND propensity <= 1),
    reward       double precision NOT NULL,
    position     integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (tenant_id, log, round_id)
);
SELECT enable_tenant_rls('logged_decisions');
