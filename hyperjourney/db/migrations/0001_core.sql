-- Core data plane: every table is keyed by tenant_id; row-level security comes in 0002.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE tenants (
    tenant_id   text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    tenant_id        text NOT NULL REFERENCES tenants(tenant_id),
    customer_id      text NOT NULL,
    first_name       text,
    last_name        text,
    account_id       text,
    company          text,
    industry         text,
    job_title        text,
    lifecycle_stage  text NOT NULL DEFAULT 'lead',
    region           text,
    country          text,
    language         text NOT NULL DEFAULT 'en',
    timezone         text NOT NULL DEFAULT 'UTC',
    age_band         text,
    attributes       jsonb NOT NULL DEFAULT '{}'::jsonb,
    merged_into      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id)
);
CREATE INDEX customers_account ON customers (tenant_id, account_id) WHERE account_id IS NOT NULL;

CREATE TABLE identities (
    tenant_id    text NOT NULL,
    customer_id  text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('email', 'phone', 'device', 'crm_id', 'cookie')),
    value        text NOT NULL,
    raw_value    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, customer_id, kind, value),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);
CREATE INDEX identities_value ON identities (tenant_id, kind, value);

CREATE TABLE identity_merges (
    tenant_id         text NOT NULL,
    merge_id          bigserial PRIMARY KEY,
    merged_customer   text NOT NULL,
    into_customer     text NOT NULL,
    rule              text NOT NULL,
    evidence          text NOT NULL,
    merged_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, merged_customer, into_customer)
);

CREATE TABLE consents (
    tenant_id    text NOT NULL,
    consent_id   bigserial,
    customer_id  text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app', 'phone', 'web')),
    purpose      text NOT NULL CHECK (purpose IN ('marketing', 'transactional', 'product_updates', 'profiling')),
    status       text NOT NULL CHECK (status IN ('granted', 'withdrawn')),
    source       text NOT NULL,
    captured_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, consent_id),
    UNIQUE (tenant_id, customer_id, channel, purpose, captured_at, status),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);
CREATE INDEX consents_latest ON consents (tenant_id, customer_id, channel, purpose, captured_at DESC);

-- Latest record wins; history stays in consents.
CREATE VIEW current_consents WITH (security_invoker = true) AS
SELECT DISTINCT ON (tenant_id, customer_id, channel, purpose)
       tenant_id, customer_id, channel, purpose, status, source, captured_at
FROM consents
ORDER BY tenant_id, customer_id, channel, purpose, captured_at DESC, consent_id DESC;

CREATE TABLE events (
    tenant_id    text NOT NULL,
    event_id     text NOT NULL,
    customer_id  text NOT NULL,
    type         text NOT NULL,
    ts           timestamptz NOT NULL,
    channel      text,
    properties   jsonb NOT NULL DEFAULT '{}'::jsonb,
    ingested_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX events_customer_time ON events (tenant_id, customer_id, ts);

CREATE TABLE products (
    tenant_id    text NOT NULL,
    product_id   text NOT NULL,
    name         text NOT NULL,
    category     text NOT NULL,
    price        numeric(12, 2) NOT NULL CHECK (price >= 0),
    margin       numeric(5, 4) NOT NULL CHECK (margin BETWEEN -1 AND 1),
    inventory    integer NOT NULL CHECK (inventory >= 0),
    age_gated    boolean NOT NULL DEFAULT false,
    attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, product_id)
);

CREATE TABLE orders (
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    customer_id   text NOT NULL,
    ordered_at    timestamptz NOT NULL,
    status        text NOT NULL CHECK (status IN ('placed', 'shipped', 'delivered', 'cancelled', 'returned',
                                                  'partially_returned')),
    currency      text NOT NULL DEFAULT 'USD',
    delivered_at  timestamptz,
    PRIMARY KEY (tenant_id, order_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);
CREATE INDEX orders_customer_time ON orders (tenant_id, customer_id, ordered_at);

CREATE TABLE order_lines (
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    line_no       integer NOT NULL CHECK (line_no >= 1),
    product_id    text NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    unit_price    numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, order_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, product_id)
);

CREATE TABLE returns (
    tenant_id     text NOT NULL,
    order_id      text NOT NULL,
    line_no       integer NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    reason        text,
    returned_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id, line_no) REFERENCES order_lines (tenant_id, order_id, line_no)
);

CREATE TABLE tickets (
    tenant_id    text NOT NULL,
    ticket_id    text NOT NULL,
    customer_id  text NOT NULL,
    channel      text NOT NULL,
    subject      text NOT NULL,
    status       text NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
    priority     text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    language     text NOT NULL DEFAULT 'en',
    labels       jsonb NOT NULL DEFAULT '{}'::jsonb,
    opened_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, customer_id)
);
CREATE INDEX tickets_customer ON tickets (tenant_id, customer_id, opened_at);

CREATE TABLE messages (
    tenant_id    text NOT NULL,
    message_id   text NOT NULL,
    ticket_id    text NOT NULL,
    author       text NOT NULL CHECK (author IN ('customer', 'agent', 'system')),
    body         text NOT NULL,
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, message_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, ticket_id)
);
CREATE INDEX messages_ticket ON messages (tenant_id, ticket_id, sent_at);

CREATE TABLE documents (
    tenant_id    text NOT NULL,
    document_id  text NOT NULL,
    type         text NOT NULL,
    title        text NOT NULL,
    source       text NOT NULL,
    region       text NOT NULL DEFAULT 'global',
    language     text NOT NULL DEFAULT 'en',
    version      integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, document_id)
);

-- Append-only, hash-chained per tenant. Hash inputs are rendered deterministically (epoch, jsonb text).
CREATE TABLE audit_log (
    tenant_id    text NOT NULL,
    seq          bigint NOT NULL,
    ts           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    action       text NOT NULL,
    entity       text NOT NULL DEFAULT '',
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash    text NOT NULL,
    hash         text NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE audit_heads (
    tenant_id  text PRIMARY KEY,
    seq        bigint NOT NULL,
    hash       text NOT NULL
);

CREATE FUNCTION audit_row_hash(prev text, tenant text, seq bigint, ts timestamptz, actor text,
                               action text, entity text, payload jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws('|', prev, tenant, seq::text, extract(epoch FROM ts)::text,
                                              actor, action, entity, payload::text), 'UTF8')), 'hex')
$$;

-- Runs as the owner so the app role can append without being able to touch the chain head.
CREATE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_heads%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('audit:' || NEW.tenant_id));
    SELECT * INTO head FROM audit_heads WHERE tenant_id = NEW.tenant_id;
    IF NOT FOUND THEN
        head.seq := 0;
        head.hash := repeat('0', 64);
    END IF;
    NEW.seq := head.seq + 1;
    NEW.ts := date_trunc('microseconds', clock_timestamp());
    NEW.prev_hash := head.hash;
    NEW.hash := audit_row_hash(NEW.prev_hash, NEW.tenant_id, NEW.seq, NEW.ts, NEW.actor, NEW.action,
                               NEW.entity, NEW.payload);
    INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (NEW.tenant_id, NEW.seq, NEW.hash)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();
