-- One step row per (run, node, decision): a node that LangGraph replays (a resume after a crash re-runs the
-- node whose writes were not checkpointed) finds its row and writes no second row or audit entry.
-- Rows a replay already duplicated keep the first one.
DELETE FROM agent_steps s USING agent_steps first
 WHERE s.tenant_id = first.tenant_id AND s.run_id = first.run_id AND s.node = first.node
   AND s.decision = first.decision AND s.step_no > first.step_no;
CREATE UNIQUE INDEX agent_steps_once ON agent_steps (tenant_id, run_id, node, decision);
