-- Who a knowledge document is for: 'customer' (may be quoted to customers) or 'internal' (staff guides: tone,
-- brand voice, consent, escalation, banned claims). Customer-facing retrieval filters on it in the database.
-- Documents stored before this migration are 'internal' until the next `kb ingest` classifies them (the reader
-- version moved, so every document is re-read): nothing unclassified is ever quoted to a customer.
ALTER TABLE kb_documents ADD COLUMN audience text NOT NULL DEFAULT 'internal'
    CHECK (audience IN ('customer', 'internal'));
ALTER TABLE kb_documents ALTER COLUMN audience DROP DEFAULT;
ALTER TABLE kb_chunks ADD COLUMN audience text NOT NULL DEFAULT 'internal'
    CHECK (audience IN ('customer', 'internal'));
ALTER TABLE kb_chunks ALTER COLUMN audience DROP DEFAULT;
DROP INDEX kb_chunks_filters;
CREATE INDEX kb_chunks_filters ON kb_chunks (tenant_id, audience, doc_type, region, language, updated_at);

-- The keyword leg with an audience filter (NULL: every audience); same tenant predicate and bound as 0003_2.
DROP FUNCTION kb_keyword_candidates(tsquery, integer, text[], text, text, integer);
CREATE FUNCTION kb_keyword_candidates(
    q tsquery, n integer, doc_types text[], want_region text, want_language text, max_age_days integer,
    want_audience text
) RETURNS TABLE (document_id text, chunk_index integer, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT m.document_id, m.chunk_index, ts_rank(m.tsv, q) AS rank
    FROM (
        SELECT c.document_id, c.chunk_index, c.tsv
        FROM kb_chunks c
        WHERE c.tenant_id = current_tenant()
          AND c.tsv @@ q
          AND (want_audience IS NULL OR c.audience = want_audience)
          AND (doc_types IS NULL OR c.doc_type = ANY (doc_types))
          AND (want_region IS NULL OR c.region IN (want_region, 'global'))
          AND (want_language IS NULL OR c.language = want_language)
          AND (max_age_days IS NULL OR c.updated_at >= now() - make_interval(days => max_age_days))
        LIMIT 2000
    ) m
    ORDER BY rank DESC, m.document_id, m.chunk_index
    LIMIT n
$$;
REVOKE ALL ON FUNCTION kb_keyword_candidates(tsquery, integer, text[], text, text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kb_keyword_candidates(tsquery, integer, text[], text, text, integer, text)
    TO hyperjourney_app;
