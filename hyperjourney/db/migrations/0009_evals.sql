-- Offline eval runs: one row per suite run with its metrics and the context that explains changes
-- (prompt versions, models, policy version, data fingerprint), one row per golden item.
CREATE TABLE eval_runs (
    tenant_id    text NOT NULL DEFAULT current_tenant() REFERENCES tenants (tenant_id),
    run_id       text PRIMARY KEY,
    suite        text NOT NULL,
    tier         text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    context      jsonb NOT NULL DEFAULT '{}',
    metrics      jsonb NOT NULL DEFAULT '{}',
    series       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX eval_runs_suite_idx ON eval_runs (tenant_id, suite, started_at DESC);

CREATE TABLE eval_items (
    tenant_id  text NOT NULL DEFAULT current_tenant() REFERENCES tenants (tenant_id),
    run_id     text NOT NULL REFERENCES eval_runs (run_id) ON DELETE CASCADE,
    item_id    text NOT NULL,
    passed     boolean NOT NULL,
    scores     jsonb NOT NULL DEFAULT '{}',
    detail     jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, item_id)
);

-- The run each suite's regression gate compares against (set with `hyperjourney eval baseline RUN`).
CREATE TABLE eval_baselines (
    tenant_id  text NOT NULL DEFAULT current_tenant() REFERENCES tenants (tenant_id),
    suite      text NOT NULL,
    run_id     text NOT NULL REFERENCES eval_runs (run_id) ON DELETE CASCADE,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, suite)
);

SELECT enable_tenant_rls(t::regclass) FROM unnest(ARRAY['eval_runs', 'eval_items', 'eval_baselines']) AS t;
