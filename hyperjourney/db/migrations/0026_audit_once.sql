-- An audit entry a graph node writes carries a key (the node's LangGraph task and the action): a node LangGraph
-- replays after a crash between its write and its checkpoint re-runs the same task and writes no second entry.
-- The key is not part of the chained hash; entries without one are appended as before.
ALTER TABLE audit_log ADD COLUMN once_key text;
CREATE UNIQUE INDEX audit_log_once ON audit_log (tenant_id, entity, once_key) WHERE once_key IS NOT NULL;
