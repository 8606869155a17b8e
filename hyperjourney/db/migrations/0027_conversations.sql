-- The customer-facing assistant (issue 18): conversations and their messages, typed profile traits learnt by
-- qualifying questions, owners' calendar slots and the meetings booked in them, CRM lead records, cart lines,
-- trials, and one ledger row per assistant action keyed by its idempotency key (a retried action returns the
-- stored result and writes nothing). Products already carry inventory and age_gated (0001). Every table is
-- tenant-bound by RLS like the others.
CREATE TABLE conversations (
    tenant_id        text NOT NULL DEFAULT current_tenant() REFERENCES tenants(tenant_id),
    conversation_id  text NOT NULL,
    visitor_id       text NOT NULL,
    customer_id      text NOT NULL,
    channel          text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email', 'sms')),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handed_off', 'closed')),
    ticket_id        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);

CREATE TABLE conversation_messages (
    tenant_id        text NOT NULL DEFAULT current_tenant(),
    conversation_id  text NOT NULL,
    seq              integer NOT NULL CHECK (seq > 0),
    role             text NOT NULL CHECK (role IN ('visitor', 'assistant')),
    body             text NOT NULL,
    citations        jsonb NOT NULL DEFAULT '[]'::jsonb,
    intent           text,
    sentiment        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id, seq),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, conversation_id)
);

CREATE TABLE profile_traits (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    customer_id  text NOT NULL,
    trait        text NOT NULL,
    value        text NOT NULL,
    source       text NOT NULL,
    observed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id, trait),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);

CREATE TABLE owner_slots (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    slot_id      text NOT NULL,
    owner_id     text NOT NULL,
    owner_email  text NOT NULL,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
    PRIMARY KEY (tenant_id, slot_id)
);
CREATE INDEX owner_slots_start ON owner_slots (tenant_id, starts_at);

CREATE TABLE meetings (
    tenant_id         text NOT NULL DEFAULT current_tenant(),
    meeting_id        text NOT NULL,
    slot_id           text NOT NULL,
    customer_id       text NOT NULL,
    conversation_id   text,
    owner_id          text NOT NULL,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    outbox_action_id  bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, meeting_id),
    UNIQUE (tenant_id, slot_id),
    FOREIGN KEY (tenant_id, slot_id) REFERENCES owner_slots (tenant_id, slot_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);

CREATE TABLE leads (
    tenant_id       text NOT NULL DEFAULT current_tenant(),
    customer_id     text NOT NULL,
    record          jsonb NOT NULL,
    schema_version  integer NOT NULL,
    revision        integer NOT NULL DEFAULT 1 CHECK (revision > 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);

CREATE TABLE cart_lines (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    customer_id  text NOT NULL,
    product_id   text NOT NULL,
    quantity     integer NOT NULL CHECK (quantity > 0),
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id, product_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, product_id)
);

CREATE TABLE trials (
    tenant_id    text NOT NULL DEFAULT current_tenant(),
    customer_id  text NOT NULL,
    plan         text NOT NULL,
    started_at   timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL CHECK (ends_at > started_at),
    PRIMARY KEY (tenant_id, customer_id, plan),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);

CREATE TABLE assistant_actions (
    tenant_id        text NOT NULL DEFAULT current_tenant(),
    idempotency_key  text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 300),
    kind             text NOT NULL CHECK (kind IN ('book_meeting', 'create_or_update_lead', 'add_to_cart',
                                                   'start_trial', 'handoff')),
    customer_id      text NOT NULL,
    result           jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, idempotency_key)
);

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['conversations', 'conversation_messages', 'profile_traits', 'owner_slots', 'meetings', 'leads',
                  'cart_lines', 'trials', 'assistant_actions']) AS t;

-- A publishable widget key (embedded in a customer-facing site) may call the assistant's routes and nothing else.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('reviewer', 'viewer', 'widget'));
