-- Observability and tier resilience (issue 19.5, 19.6).
--
-- agent_steps.tier_events: what the resilience layer did on a decision (retries, a tier skipped or failed over,
-- an answer degraded to the small tier, a reply queued for review), as typed events beside the escalations.
ALTER TABLE agent_steps ADD COLUMN tier_events jsonb NOT NULL DEFAULT '[]'::jsonb;

-- The numbers /metrics reports per tenant, without giving the API role any row it could not read already:
-- aggregates only. Journey lag: age of the oldest event the journey cursor has not passed (0 when none).
CREATE FUNCTION ops_tenant_gauges()
RETURNS TABLE (tenant_id text, outbox_pending bigint, outbox_retrying bigint, outbox_dead bigint,
               journey_lag_s double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.tenant_id,
           (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.status = 'pending'),
           (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.status = 'pending'
                                          AND o.attempts > 0),
           (SELECT count(*) FROM outbox o WHERE o.tenant_id = t.tenant_id AND o.status = 'dead'),
           coalesce((SELECT extract(epoch FROM now() - e.ingested_at)::double precision
                     FROM events e LEFT JOIN journey_cursor c ON c.tenant_id = e.tenant_id
                     WHERE e.tenant_id = t.tenant_id
                       AND (c.tenant_id IS NULL OR (e.ingest_xid, e.event_id) > (c.ingest_xid, c.event_id))
                     ORDER BY e.ingest_xid, e.event_id LIMIT 1), 0)
    FROM tenants t
$$;
REVOKE ALL ON FUNCTION ops_tenant_gauges() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ops_tenant_gauges() TO hyperjourney_app;
