-- Knowledge base: documents, heading-aware chunks with a 384-d embedding (HNSW) and a full-text column (GIN),
-- an embedding cache by content hash, and a per-tenant version that invalidates the retrieval cache.
-- Own tables rather than llama-index's PGVectorStore: that store creates one table per store without a
-- tenant column or row-level security, so isolation would live only in Python.
CREATE EXTENSION IF NOT EXISTS vector;

-- Full-text configuration per document language; IMMUTABLE so the generated column can use it.
CREATE FUNCTION kb_regconfig(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(left(lang, 2))
        WHEN 'en' THEN 'english'::regconfig
        WHEN 'de' THEN 'german'::regconfig
        WHEN 'es' THEN 'spanish'::regconfig
        WHEN 'fr' THEN 'french'::regconfig
        WHEN 'it' THEN 'italian'::regconfig
        WHEN 'pt' THEN 'portuguese'::regconfig
        WHEN 'nl' THEN 'dutch'::regconfig
        ELSE 'simple'::regconfig
    END
$$;

CREATE TABLE kb_documents (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    document_id   text NOT NULL,
    source        text NOT NULL,
    doc_type      text NOT NULL,
    title         text NOT NULL,
    region        text NOT NULL DEFAULT 'global',
    language      text NOT NULL DEFAULT 'en',
    version       integer NOT NULL DEFAULT 1,
    content_hash  text NOT NULL,
    chunk_count   integer NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL,
    ingested_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, document_id)
);
CREATE INDEX kb_documents_source ON kb_documents (tenant_id, source);

CREATE TABLE kb_chunks (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    document_id   text NOT NULL,
    chunk_index   integer NOT NULL,
    section       text NOT NULL DEFAULT '',
    text          text NOT NULL,
    content_hash  text NOT NULL,
    -- denormalised from the document so filters and ranking need no join
    doc_type      text NOT NULL,
    title         text NOT NULL,
    region        text NOT NULL,
    language      text NOT NULL,
    version       integer NOT NULL,
    updated_at    timestamptz NOT NULL,
    embedding     vector(384) NOT NULL,
    tsv           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(kb_regconfig(language), title || ' ' || section), 'A')
        || setweight(to_tsvector(kb_regconfig(language), text), 'B')
    ) STORED,
    PRIMARY KEY (tenant_id, document_id, chunk_index),
    FOREIGN KEY (tenant_id, document_id) REFERENCES kb_documents (tenant_id, document_id) ON DELETE CASCADE
);
-- Keep vectors in the row (1.5 kB): an exact scan must not de-TOAST every vector; text and tsv move out instead.
ALTER TABLE kb_chunks ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX kb_chunks_embedding ON kb_chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX kb_chunks_tsv ON kb_chunks USING gin (tsv);
CREATE INDEX kb_chunks_filters ON kb_chunks (tenant_id, doc_type, region, language, updated_at);

CREATE TABLE kb_embedding_cache (
    tenant_id     text NOT NULL DEFAULT current_tenant(),
    model         text NOT NULL,
    content_hash  text NOT NULL,
    embedding     vector(384) NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, model, content_hash)
);

CREATE TABLE kb_state (
    tenant_id     text PRIMARY KEY DEFAULT current_tenant(),
    version       bigint NOT NULL DEFAULT 0,
    last_ingest_at timestamptz
);

SELECT enable_tenant_rls(t::regclass)
FROM unnest(ARRAY['kb_documents', 'kb_chunks', 'kb_embedding_cache', 'kb_state']) AS t;

-- Full-text matching (ts_match_vq) is not LEAKPROOF, so under row-level security Postgres must apply the
-- tenant policy before it and cannot use the GIN index: every keyword query would scan all of the tenant's
-- chunks. This function runs as its owner and applies the same tenant predicate itself (current_tenant(),
-- the transaction's binding), so the index is used and isolation is still enforced in the database.
CREATE FUNCTION kb_keyword_candidates(
    q tsquery, n integer, doc_types text[], want_region text, want_language text, max_age_days integer
) RETURNS TABLE (document_id text, chunk_index integer, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.document_id, c.chunk_index, ts_rank(c.tsv, q) AS rank
    FROM kb_chunks c
    WHERE c.tenant_id = current_tenant()
      AND c.tsv @@ q
      AND (doc_types IS NULL OR c.doc_type = ANY (doc_types))
      AND (want_region IS NULL OR c.region IN (want_region, 'global'))
      AND (want_language IS NULL OR c.language = want_language)
      AND (max_age_days IS NULL OR c.updated_at >= now() - make_interval(days => max_age_days))
    ORDER BY rank DESC, c.document_id, c.chunk_index
    LIMIT n
$$;
REVOKE ALL ON FUNCTION kb_keyword_candidates(tsquery, integer, text[], text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kb_keyword_candidates(tsquery, integer, text[], text, text, integer) TO hyperjourney_app;
