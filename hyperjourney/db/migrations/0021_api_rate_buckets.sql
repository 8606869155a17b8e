-- API rate limits in Postgres: every API process behind a load balancer spends the same buckets, so N
-- instances allow the configured rate, not N times it. UNLOGGED: after a crash the buckets start full,
-- which is what an empty table means anyway. The application role only calls api_rate_take.
CREATE UNLOGGED TABLE api_rate_buckets (
    bucket   text PRIMARY KEY,
    tokens   double precision NOT NULL,
    updated  timestamptz NOT NULL
);

-- Take one token of ``bucket`` (refilled at ``rate`` per second up to ``burst``): 0 when taken, else the
-- seconds until one is available. The row lock makes concurrent requests of one key take turns.
CREATE FUNCTION api_rate_take(bucket text, rate double precision, burst integer, at timestamptz DEFAULT NULL)
RETURNS double precision
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    now_ts timestamptz := coalesce(at, clock_timestamp());
    held api_rate_buckets%ROWTYPE;
    level double precision;
BEGIN
    INSERT INTO api_rate_buckets AS b VALUES (bucket, burst, now_ts) ON CONFLICT DO NOTHING;
    SELECT * INTO held FROM api_rate_buckets b WHERE b.bucket = api_rate_take.bucket FOR UPDATE;
    level := least(burst, held.tokens + greatest(extract(epoch FROM now_ts - held.updated), 0) * rate);
    IF level >= 1 THEN
        UPDATE api_rate_buckets b SET tokens = level - 1, updated = now_ts WHERE b.bucket = api_rate_take.bucket;
        RETURN 0;
    END IF;
    UPDATE api_rate_buckets b SET tokens = level, updated = now_ts WHERE b.bucket = api_rate_take.bucket;
    RETURN (1 - level) / rate;
END
$$;
REVOKE ALL ON FUNCTION api_rate_take(text, double precision, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_rate_take(text, double precision, integer, timestamptz) TO hyperjourney_app;
