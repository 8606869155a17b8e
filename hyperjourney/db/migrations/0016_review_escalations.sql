-- Escalations are review items: a decision no model tier could make with confidence (a canvas goal's plan,
-- its segment, sizing, copy or journey) waits in the review queue with its reasons, linked to its run. At
-- most one item per run and key (the run's node and decision), so a replayed node never queues it twice.
ALTER TABLE review_items DROP CONSTRAINT review_items_kind_check;
ALTER TABLE review_items ADD CONSTRAINT review_items_kind_check CHECK (kind IN ('asset', 'action', 'escalation'));
ALTER TABLE review_items ADD COLUMN escalation_key text;
CREATE UNIQUE INDEX review_items_escalation ON review_items (tenant_id, run_id, escalation_key)
    WHERE escalation_key IS NOT NULL;
