-- An action without its own attempt limit follows the dispatcher's setting (HYPERJOURNEY_CHANNELS__MAX_ATTEMPTS):
-- the column's fixed default of 6 made that setting a no-op. Rows written with the old default keep their 6.
ALTER TABLE outbox ALTER COLUMN max_attempts DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN max_attempts DROP DEFAULT;
