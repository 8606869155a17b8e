-- Which model embedded each document, so switching embedders re-embeds on the next ingest and a search never
-- compares vectors from two models. Rows that exist already were embedded by the default offline model.
ALTER TABLE kb_documents ADD COLUMN embedding_model text NOT NULL DEFAULT 'local:all-MiniLM-L6-v2';
ALTER TABLE kb_documents ALTER COLUMN embedding_model DROP DEFAULT;
