-- The journey cursor follows ingest transactions, not ingest times.
--
-- events.ingested_at is now() = the start of the inserting transaction. A long file ingest that commits after
-- a short API ingest has older ingested_at values than rows the runner already read, so a cursor on
-- (ingested_at, event_id) moved past them and they were never read. Each event now records the id of the
-- transaction that inserted it; the runner reads only rows of transactions older than the oldest one still
-- running (pg_snapshot_xmin of its snapshot), all of which have finished, so the cursor never passes a
-- transaction that may still commit.

ALTER TABLE events ADD COLUMN ingest_xid xid8;

-- Existing rows: those the tenant's cursor already passed sort first (1), the rest after them (2); both sort
-- below every real transaction id, so they are read before anything ingested from now on.
UPDATE events e SET ingest_xid = CASE WHEN EXISTS (
    SELECT 1 FROM journey_cursor c
    WHERE c.tenant_id = e.tenant_id AND (e.ingested_at, e.event_id) <= (c.ingested_at, c.event_id)
) THEN '1'::xid8 ELSE '2'::xid8 END;

ALTER TABLE events ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id(),
    ALTER COLUMN ingest_xid SET NOT NULL;
CREATE INDEX events_ingest_order ON events (tenant_id, ingest_xid, event_id);

ALTER TABLE journey_cursor ADD COLUMN ingest_xid xid8;
UPDATE journey_cursor c SET ingest_xid = '1'::xid8,
    event_id = coalesce((SELECT max(e.event_id) FROM events e
                         WHERE e.tenant_id = c.tenant_id AND e.ingest_xid = '1'::xid8), '');
ALTER TABLE journey_cursor ALTER COLUMN ingest_xid SET NOT NULL, DROP COLUMN ingested_at;
