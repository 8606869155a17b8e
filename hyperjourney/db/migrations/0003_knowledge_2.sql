-- Which model embedded each document, so switching embedders re-embeds on the next ingest and a search never
-- compares vectors from two models. Rows that exist already were embedded by the default offline model.
ALTER TABLE kb_documents ADD COLUMN embedding_model text NOT NULL DEFAULT 'local:all-MiniLM-L6-v2';
ALTER TABLE kb_documents ALTER COLUMN embedding_model DROP DEFAULT;

-- Bound the keyword leg's cost: with OR-ed terms a common word can match thousands of chunks, and ranking
-- each one reads its row. Rank at most 2,000 matches (all of them in any knowledge base where fewer match);
-- beyond that the vector leg carries the query. Same signature, same tenant predicate as in 0003.
CREATE OR REPLACE FUNCTION kb_keyword_candidates(
    q tsquery, n integer, doc_types text[], want_region text, want_language text, max_age_days integer
) RETURNS TABLE (document_id text, chunk_index integer, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT m.document_id, m.chunk_index, ts_rank(m.tsv, q) AS rank
    FROM (
        SELECT c.document_id, c.chunk_index, c.tsv
        FROM kb_chunks c
        WHERE c.tenant_id = current_tenant()
          AND c.tsv @@ q
          AND (doc_types IS NULL OR c.doc_type = ANY (doc_types))
          AND (want_region IS NULL OR c.region IN (want_region, 'global'))
          AND (want_language IS NULL OR c.language = want_language)
          AND (max_age_days IS NULL OR c.updated_at >= now() - make_interval(days => max_age_days))
        LIMIT 2000
    ) m
    ORDER BY rank DESC, m.document_id, m.chunk_index
    LIMIT n
$$;
