-- Agent runs, their steps and outcomes, and LangGraph's checkpoint tables, all tenant-scoped.

CREATE TABLE agent_runs (
    tenant_id     text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    run_id        text NOT NULL,
    flow          text NOT NULL CHECK (flow IN ('canvas', 'copilot', 'nba')),
    request       jsonb NOT NULL,
    status        text NOT NULL CHECK (status IN ('running', 'awaiting_approval', 'resuming', 'completed',
                                                  'rejected', 'escalated', 'failed')),
    summary       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id)
);
CREATE INDEX agent_runs_recent ON agent_runs (tenant_id, created_at DESC);

CREATE TABLE agent_steps (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    run_id         text NOT NULL,
    step_no        integer NOT NULL,
    node           text NOT NULL,
    agent          text NOT NULL,
    decision       text NOT NULL,
    tier           text NOT NULL,
    model          text NOT NULL DEFAULT '',
    prompt_name    text NOT NULL DEFAULT '',
    prompt_hash    text NOT NULL DEFAULT '',
    confidence     double precision,
    reason         text NOT NULL DEFAULT '',
    escalations    jsonb NOT NULL DEFAULT '[]'::jsonb,
    input_tokens   integer NOT NULL DEFAULT 0,
    output_tokens  integer NOT NULL DEFAULT 0,
    cost_usd       double precision NOT NULL DEFAULT 0,
    latency_ms     double precision NOT NULL DEFAULT 0,
    evidence_ids   jsonb NOT NULL DEFAULT '[]'::jsonb,
    inputs         jsonb NOT NULL DEFAULT '{}'::jsonb,
    outputs        jsonb NOT NULL DEFAULT '{}'::jsonb,
    review_reason  text,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, run_id, step_no),
    FOREIGN KEY (tenant_id, run_id) REFERENCES agent_runs (tenant_id, run_id)
);

-- One outcome per run: the unique key is what makes a resumed launch happen exactly once.
CREATE TABLE agent_outcomes (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    run_id        text NOT NULL,
    decision      text NOT NULL CHECK (decision IN ('approved', 'edited', 'rejected', 'completed', 'escalated')),
    reviewer      text,
    plan          jsonb NOT NULL DEFAULT '{}'::jsonb,
    launch        jsonb NOT NULL DEFAULT '{}'::jsonb,
    next_steps    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES agent_runs (tenant_id, run_id)
);

SELECT enable_tenant_rls(t::regclass) FROM unnest(ARRAY['agent_runs', 'agent_steps', 'agent_outcomes']) AS t;

-- LangGraph PostgresSaver schema (langgraph-checkpoint-postgres MIGRATIONS 0-9), created here by the owner
-- so the app role never needs DDL; each table gains tenant_id and RLS. Thread ids are run ids (uuids).
CREATE TABLE checkpoint_migrations (v integer PRIMARY KEY);
INSERT INTO checkpoint_migrations (v) SELECT generate_series(0, 9);
GRANT SELECT ON checkpoint_migrations TO hyperjourney_app;

CREATE TABLE checkpoints (
    tenant_id             text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    thread_id             text NOT NULL,
    checkpoint_ns         text NOT NULL DEFAULT '',
    checkpoint_id         text NOT NULL,
    parent_checkpoint_id  text,
    type                  text,
    checkpoint            jsonb NOT NULL,
    metadata              jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE checkpoint_blobs (
    tenant_id      text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    thread_id      text NOT NULL,
    checkpoint_ns  text NOT NULL DEFAULT '',
    channel        text NOT NULL,
    version        text NOT NULL,
    type           text NOT NULL,
    blob           bytea,
    PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);
CREATE TABLE checkpoint_writes (
    tenant_id      text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    thread_id      text NOT NULL,
    checkpoint_ns  text NOT NULL DEFAULT '',
    checkpoint_id  text NOT NULL,
    task_id        text NOT NULL,
    idx            integer NOT NULL,
    channel        text NOT NULL,
    type           text,
    blob           bytea NOT NULL,
    task_path      text NOT NULL DEFAULT '',
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
CREATE INDEX checkpoints_thread_id_idx ON checkpoints (thread_id);
CREATE INDEX checkpoint_blobs_thread_id_idx ON checkpoint_blobs (thread_id);
CREATE INDEX checkpoint_writes_thread_id_idx ON checkpoint_writes (thread_id);

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['checkpoints', 'checkpoint_blobs', 'checkpoint_writes']) AS t;
