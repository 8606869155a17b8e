"""Outcome attribution: opens, clicks, conversions, revenue, unsubscribes and complaints flow back as events and
are credited to the action that caused them — the action named in the event, else the customer's last delivered
action within the window. Conversions also reward the bandit arm and the NBA decision behind the action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.journeys.bandit import record_reward

OUTCOMES = {
    "email_open": "open",
    "push_open": "open",
    "email_click": "click",
    "sms_click": "click",
    "in_app_click": "click",
    "checkout": "conversion",
    "upgrade": "conversion",
    "trial_started": "conversion",
    "meeting_booked": "conversion",
    "contract_signed": "conversion",
    "unsubscribe": "unsubscribe",
    "complaint": "complaint",
}
REWARDING = frozenset({"click", "conversion"})

# Action time is when the journey scheduled it (simulations run on their own clock), else when it was sent.
ATTRIBUTE_SQL = """
INSERT INTO attributions (event_id, action_id, customer_id, outcome, value, occurred_at)
SELECT e.event_id, a.action_id, e.customer_id, %(outcome_case)s,
       coalesce((e.properties->>'revenue')::float8, 0), e.ts
FROM events e
CROSS JOIN LATERAL (
    SELECT o.action_id FROM outbox o
    WHERE o.customer_id = e.customer_id AND o.status IN ('delivered', 'rolled_back')
      AND coalesce((o.rationale->>'scheduled_at')::timestamptz, o.sent_at) <= e.ts
      AND coalesce((o.rationale->>'scheduled_at')::timestamptz, o.sent_at) > e.ts - %(window)s
    ORDER BY (o.idempotency_key = e.properties->>'action_key') DESC,
             coalesce((o.rationale->>'scheduled_at')::timestamptz, o.sent_at) DESC
    LIMIT 1
) a
WHERE e.type = ANY(%(types)s)
  AND NOT EXISTS (SELECT 1 FROM attributions x WHERE x.event_id = e.event_id)
  AND e.ts > %(since)s
RETURNING action_id, outcome
"""


class AttributionStats(BaseModel):
    credited: dict[str, int]
    rewarded: int


def attribute(db: Database, tenant: str, *, window_hours: float = 72, lookback_days: float = 60) -> AttributionStats:
    """Credit every not-yet-attributed outcome event from the last ``lookback_days``; safe to re-run."""
    case = "CASE e.type " + " ".join(f"WHEN '{t}' THEN '{o}'" for t, o in OUTCOMES.items()) + " END"
    with db.tenant(tenant) as conn:
        since_row = conn.execute(
            "SELECT coalesce(max(ts), now()) - make_interval(days => %s) FROM events WHERE type = ANY(%s)",
            (int(lookback_days), list(OUTCOMES)),
        ).fetchone()
        assert since_row is not None
        rows = conn.execute(
            ATTRIBUTE_SQL.replace("%(outcome_case)s", case),
            {"window": timedelta(hours=window_hours), "types": list(OUTCOMES), "since": since_row[0]},
        ).fetchall()
        credited: dict[str, int] = {}
        rewarded_actions: set[int] = set()
        for action_id, outcome in rows:
            credited[outcome] = credited.get(outcome, 0) + 1
            if outcome in REWARDING:
                rewarded_actions.add(int(action_id))
        rewarded = 0
        for action_id in sorted(rewarded_actions):
            rewarded += _reward(conn, action_id)
    return AttributionStats(credited=credited, rewarded=rewarded)


def _reward(conn: Any, action_id: int) -> int:
    row = conn.execute(
        "SELECT rationale->>'experiment', variant, (rationale->>'decision_id')::bigint "
        "FROM outbox WHERE action_id = %s",
        (action_id,),
    ).fetchone()
    if row is None or row[0] is None or row[1] is None:
        return 0
    experiment, arm, decision_id = row
    if decision_id is None:
        return 0
    record_reward(conn, experiment, arm, decision_id)
    return 1
