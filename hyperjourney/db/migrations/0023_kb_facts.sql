-- Typed facts extracted from each knowledge document at ingest (results, quotes, pricing, policies, FAQ answers,
-- product attributes), each citing one chunk of its document. Rows belong to their document: re-ingesting a
-- document replaces its facts in the same transaction as its chunks, and deleting it cascades.
CREATE TABLE kb_facts (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    document_id   text NOT NULL,
    fact_index    integer NOT NULL CHECK (fact_index >= 0),
    chunk_index   integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('result', 'quote', 'pricing', 'policy', 'faq', 'attribute')),
    products      text[] NOT NULL DEFAULT '{}',
    -- denormalised from the document so the Copywriter's choice needs no join
    doc_type      text NOT NULL,
    title         text NOT NULL,
    section       text NOT NULL DEFAULT '',
    region        text NOT NULL,
    language      text NOT NULL,
    audience      text NOT NULL CHECK (audience IN ('customer', 'internal')),
    doc_version   integer NOT NULL,
    updated_at    timestamptz NOT NULL,
    text          text NOT NULL CHECK (text <> ''),
    detail        jsonb NOT NULL,
    PRIMARY KEY (tenant_id, document_id, fact_index),
    FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents (tenant_id, document_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, document_id, chunk_index) REFERENCES kb_chunks (tenant_id, document_id, chunk_index)
        ON DELETE CASCADE
);
CREATE INDEX kb_facts_choice ON kb_facts (tenant_id, audience, kind, language);
CREATE INDEX kb_facts_products ON kb_facts USING gin (products);

SELECT enable_tenant_rls('kb_facts'::regclass);
