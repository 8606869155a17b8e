-- A run waiting for approval can be cancelled (POST /v1/runs/{id}/cancel): its approval can no longer be given.
ALTER TABLE agent_runs DROP CONSTRAINT agent_runs_status_check;
ALTER TABLE agent_runs ADD CONSTRAINT agent_runs_status_check CHECK (status IN (
    'running', 'awaiting_approval', 'resuming', 'completed', 'rejected', 'escalated', 'failed', 'cancelled'));
