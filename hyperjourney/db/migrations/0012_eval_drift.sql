-- Drift reports: one per `eval run` (and per `eval drift`), referenced by every suite run it was measured with.
-- The Analyst reads the newest one to flag drifted features and base rates when sizing an opportunity.
CREATE TABLE drift_reports (
    tenant_id    text NOT NULL DEFAULT current_tenant() REFERENCES tenants (tenant_id),
    report_id    text PRIMARY KEY,
    computed_at  timestamptz NOT NULL,
    report       jsonb NOT NULL
);
CREATE INDEX drift_reports_time_idx ON drift_reports (tenant_id, computed_at DESC);

ALTER TABLE eval_runs ADD COLUMN drift_report_id text REFERENCES drift_reports (report_id);

SELECT enable_tenant_rls('drift_reports'::regclass);
