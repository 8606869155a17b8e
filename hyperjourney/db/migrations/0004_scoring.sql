-- Feature store and model registry (issue 4). Every table is tenant-scoped under RLS.

-- What each feature means, where it comes from and how fresh it must be; one row per (name, version).
CREATE TABLE feature_definitions (
    tenant_id       text NOT NULL DEFAULT current_tenant(),
    name            text NOT NULL,
    version         integer NOT NULL CHECK (version >= 1),
    description     text NOT NULL,
    sources         text[] NOT NULL,
    freshness_sla   interval NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name, version)
);

-- One row per (canonical) customer: every feature value as of as_of, computed at computed_at.
CREATE TABLE customer_features (
    tenant_id      text NOT NULL DEFAULT current_tenant(),
    customer_id    text NOT NULL,
    feature_set    integer NOT NULL,
    features       jsonb NOT NULL,
    as_of          timestamptz NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, customer_id)
);

-- Versioned model artifacts (JSON parameters, never pickles) with their window, metrics and feature versions.
CREATE TABLE model_versions (
    tenant_id         text NOT NULL DEFAULT current_tenant(),
    name              text NOT NULL,
    version           integer NOT NULL CHECK (version >= 1),
    kind              text NOT NULL,
    trained_at        timestamptz NOT NULL DEFAULT now(),
    training_window   jsonb NOT NULL,
    feature_versions  jsonb NOT NULL,
    metrics           jsonb NOT NULL,
    artifact          jsonb NOT NULL,
    active            boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, name, version)
);
CREATE UNIQUE INDEX model_versions_one_active ON model_versions (tenant_id, name) WHERE active;

-- The latest batch score per customer and model, with its reason codes.
CREATE TABLE customer_scores (
    tenant_id       text NOT NULL DEFAULT current_tenant(),
    customer_id     text NOT NULL,
    name            text NOT NULL,
    value           double precision NOT NULL,
    label           text,
    confidence      double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    model_version   text NOT NULL,
    reasons         jsonb NOT NULL DEFAULT '[]'::jsonb,
    scored_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id, name)
);
CREATE INDEX customer_scores_name_value ON customer_scores (tenant_id, name, value);

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['feature_definitions', 'customer_features', 'model_versions', 'customer_scores']) AS t;
