-- Chainlit's conversation history (threads, steps, elements, feedback, users), tenant-scoped, so a page reload
-- or a later login resumes the conversation. Step and element bodies are chainlit's own dicts, kept as jsonb.
CREATE TABLE ui_users (
    tenant_id   text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    user_id     text NOT NULL,
    identifier  text NOT NULL,
    metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    UNIQUE (tenant_id, identifier)
);

CREATE TABLE ui_threads (
    tenant_id        text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    thread_id        text NOT NULL,
    name             text,
    user_id          text,
    user_identifier  text,
    tags             jsonb NOT NULL DEFAULT '[]'::jsonb,
    metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, thread_id)
);
CREATE INDEX ui_threads_by_user ON ui_threads (tenant_id, user_identifier, created_at DESC);

CREATE TABLE ui_steps (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    step_id     text NOT NULL,
    thread_id   text NOT NULL,
    body        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, step_id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES ui_threads (tenant_id, thread_id) ON DELETE CASCADE
);
CREATE INDEX ui_steps_by_thread ON ui_steps (tenant_id, thread_id, created_at);

CREATE TABLE ui_elements (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    element_id  text NOT NULL,
    thread_id   text NOT NULL,
    body        jsonb NOT NULL,
    PRIMARY KEY (tenant_id, element_id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES ui_threads (tenant_id, thread_id) ON DELETE CASCADE
);

CREATE TABLE ui_feedback (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    feedback_id  text NOT NULL,
    step_id      text NOT NULL,
    value        integer NOT NULL,
    comment      text,
    PRIMARY KEY (tenant_id, feedback_id)
);

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['ui_users', 'ui_threads', 'ui_steps', 'ui_elements', 'ui_feedback']) AS t;
