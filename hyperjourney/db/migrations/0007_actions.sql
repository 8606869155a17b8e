-- Acting and learning: the transactional outbox, journeys and their enrollments, logged decisions,
-- experiment assignments and outcome attribution. Every table is tenant-scoped under RLS.

CREATE TABLE outbox (
    tenant_id        text NOT NULL DEFAULT current_tenant(),
    action_id        bigserial,
    idempotency_key  text NOT NULL,
    customer_id      text NOT NULL,
    channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'webhook')),
    purpose          text NOT NULL CHECK (purpose IN ('marketing', 'transactional', 'support')),
    payload          jsonb NOT NULL,
    rationale        jsonb NOT NULL DEFAULT '{}'::jsonb,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled', 'refused',
                                       'rolled_back')),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 6 CHECK (max_attempts >= 1),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_by       text,
    claimed_until    timestamptz,
    last_error       text,
    receipt          jsonb,
    journey_id       text,
    enrollment_id    bigint,
    variant          text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    PRIMARY KEY (tenant_id, action_id),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (tenant_id, next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_customer ON outbox (tenant_id, customer_id, created_at);
SELECT enable_tenant_rls('outbox');

CREATE TABLE journeys (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    journey_id   text NOT NULL,
    version      integer NOT NULL CHECK (version >= 1),
    definition   jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'retired')),
    created_by   text NOT NULL DEFAULT 'system',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, journey_id, version)
);
SELECT enable_tenant_rls('journeys');

CREATE TABLE journey_enrollments (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    enrollment_id  bigserial,
    journey_id     text NOT NULL,
    version        integer NOT NULL,
    customer_id    text NOT NULL,
    entity_key     text NOT NULL,
    arm            text NOT NULL CHECK (arm IN ('treatment', 'holdout')),
    state          text NOT NULL CHECK (state IN ('active', 'waiting', 'goal_met', 'exited', 'holdout')),
    step_id        text,
    step_seq       integer NOT NULL DEFAULT 0,
    wait_until     timestamptz,
    wait_event     text,
    context        jsonb NOT NULL DEFAULT '{}'::jsonb,
    started_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    ended_at       timestamptz,
    PRIMARY KEY (tenant_id, enrollment_id),
    UNIQUE (tenant_id, journey_id, customer_id, entity_key)
);
CREATE INDEX journey_enrollments_due ON journey_enrollments (tenant_id, wait_until) WHERE state IN ('active', 'waiting');
CREATE INDEX journey_enrollments_customer ON journey_enrollments (tenant_id, customer_id, state);
SELECT enable_tenant_rls('journey_enrollments');

-- One row per executed step: the primary key makes a repeated step impossible.
CREATE TABLE journey_step_log (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    enrollment_id  bigint NOT NULL,
    step_seq       integer NOT NULL,
    step_id        text NOT NULL,
    outcome        text NOT NULL,
    at             timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, enrollment_id, step_seq)
);
SELECT enable_tenant_rls('journey_step_log');

-- How far the runner has read the event stream.
CREATE TABLE journey_cursor (
    tenant_id     text NOT NULL DEFAULT current_tenant() PRIMARY KEY,
    ingested_at   timestamptz NOT NULL,
    event_id      text NOT NULL
);
SELECT enable_tenant_rls('journey_cursor');

-- Logged decisions (NBA and bandits) with the propensity of the chosen action, for off-policy estimates.
CREATE TABLE decisions (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    decision_id   bigserial,
    source        text NOT NULL,
    customer_id   text NOT NULL,
    decided_at    timestamptz NOT NULL,
    chosen        text NOT NULL,
    propensity    double precision NOT NULL CHECK (propensity > 0 AND propensity <= 1),
    candidates    jsonb NOT NULL,
    context       jsonb NOT NULL DEFAULT '{}'::jsonb,
    reward        double precision,
    PRIMARY KEY (tenant_id, decision_id)
);
CREATE INDEX decisions_source ON decisions (tenant_id, source, decided_at);
SELECT enable_tenant_rls('decisions');

CREATE TABLE experiments (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    experiment_id  text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('ab', 'bandit')),
    arms           jsonb NOT NULL,
    min_explore    double precision NOT NULL DEFAULT 0.1 CHECK (min_explore >= 0 AND min_explore <= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, experiment_id)
);
SELECT enable_tenant_rls('experiments');

CREATE TABLE arm_stats (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    experiment_id  text NOT NULL,
    arm            text NOT NULL,
    trials         integer NOT NULL DEFAULT 0,
    successes      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, experiment_id, arm)
);
SELECT enable_tenant_rls('arm_stats');

-- An outcome event credited to the action that caused it (last touch within the window); one credit per event.
CREATE TABLE attributions (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    event_id       text NOT NULL,
    action_id      bigint NOT NULL,
    customer_id    text NOT NULL,
    outcome        text NOT NULL,
    value          double precision NOT NULL DEFAULT 0,
    occurred_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX attributions_action ON attributions (tenant_id, action_id);
SELECT enable_tenant_rls('attributions');

-- Tenant-set knobs (e.g. the NBA objective weights).
CREATE TABLE tenant_settings (
    tenant_id  text NOT NULL DEFAULT current_tenant(),
    key        text NOT NULL,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
SELECT enable_tenant_rls('tenant_settings');
