-- Agent runs queued for the workers: the API writes the job and this row in one transaction, the worker fills
-- in the run's id at its first recorded step (or the error that stopped it before any), and the API follows
-- the run from there through agent_runs and agent_steps, as it does for a run it executes itself.
CREATE TABLE run_jobs (
    tenant_id   text NOT NULL DEFAULT current_tenant(),
    job_id      bigint NOT NULL,
    flow        text NOT NULL,
    run_id      text,
    error       text,
    bad_input   boolean NOT NULL DEFAULT false,
    queued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, job_id)
);
SELECT enable_tenant_rls('run_jobs');
