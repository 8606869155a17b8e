-- New events and new outbox actions wake the workers in the transaction that writes them.
--
-- A statement that inserts events (HTTP, file COPY, merge) queues one journey tick for its tenant; a
-- statement that inserts outbox actions queues one dispatch. The job becomes visible when the writer commits,
-- and procrastinate's own trigger NOTIFYs the listening workers then, so a journey advances and its message
-- goes out without anyone typing a command. The queueing lock keeps at most one waiting job per tenant and
-- kind: a burst of inserts while one waits adds nothing (that job will read them all).
-- The job queue's tables come from procrastinate's schema, which `db migrate` installs after these files.

-- Queue one job of ``task`` for ``tenant`` unless one is already waiting (its queueing lock is task:tenant).
CREATE FUNCTION defer_tenant_job(queue text, task text, tenant text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM procrastinate_defer_jobs_v1(ARRAY[ROW(
        queue, task, 0, NULL, task || ':' || tenant, jsonb_build_object('tenant', tenant), NULL
    )::procrastinate_job_to_defer_v1]);
EXCEPTION WHEN unique_violation THEN
    NULL;  -- a job for this tenant is already waiting and will see this work too
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
