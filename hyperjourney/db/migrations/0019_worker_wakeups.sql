-- New events and new outbox actions wake the workers in the transaction that writes them.
--
-- A statement that inserts events (HTTP, file COPY, merge) queues one journey tick for its tenant; a
-- statement that inserts outbox actions queues one dispatch. The job becomes visible when the writer commits,
-- and procrastinate's own trigger NOTIFYs the listening workers then, so a journey advances and its message
-- goes out without anyone typing a command. A burst of inserts while a job of the tenant waits adds nothing:
-- that job will read them all.
-- The job queue's tables come from procrastinate's schema, which `db migrate` installs after these files.

-- Queue one job of ``task`` for ``tenant`` unless one is already waiting. Not procrastinate's queueing lock:
-- its unique index makes a second writer wait for the first to commit (a long file ingest would hold every
-- API ingest of its tenant). Two writers committing at once may each queue one; a tick or a dispatch with
-- nothing to do costs one query.
CREATE FUNCTION defer_tenant_job(queue text, task text, tenant text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM procrastinate_jobs
                   WHERE task_name = task AND status = 'todo' AND args->>'tenant' = tenant) THEN
        PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(
            queue, task, 0, NULL, NULL, jsonb_build_object('tenant', tenant), NULL
        )::procrastinate_job_to_defer_v1]);
    END IF;
END
$$;

-- The writer's tenant is the one its connection is bound to (every ingest path binds one). A statement run
-- by the admin outside any tenant wakes nobody; the sweep picks its rows up. No transition table: a
-- 100,000-row COPY pays one function call, not a second copy of its rows.
CREATE FUNCTION wake_workers() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tenant text := current_tenant();
BEGIN
    IF tenant IS NOT NULL THEN
        PERFORM defer_tenant_job(TG_ARGV[0], TG_ARGV[1], tenant);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_wake_journeys AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION wake_workers('journeys', 'hyperjourney.journey_tick');
CREATE TRIGGER outbox_wake_dispatch AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION wake_workers('outbox', 'hyperjourney.dispatch_outbox');
