"""Fresh per-customer signals for decisions: one query over events, orders, returns, tickets and the outbox.

Scores come from the scoring part (``hyperjourney.scoring.service.score_customer``) once the tenant's models
are trained; until then a transparent recency/frequency rule gives the same names, so journeys and NBA run.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.scoring import registry
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.service import score_customer

SIGNALS_SQL = """
WITH ev AS (
    SELECT type, ts FROM events WHERE customer_id = %(c)s AND ts > %(now)s - interval '90 days' AND ts <= %(now)s
), ord AS (
    SELECT o.order_id, sum(l.quantity * l.unit_price) AS revenue, sum(l.quantity) AS qty
    FROM orders o JOIN order_lines l USING (tenant_id, order_id)
    WHERE o.customer_id = %(c)s AND o.ordered_at <= %(now)s GROUP BY o.order_id
)
SELECT
    (SELECT count(*) FROM ev WHERE type IN ('product_view', 'page_view') AND ts > %(now)s - interval '30 days'),
    (SELECT count(*) FROM ev WHERE type IN ('added_to_cart', 'pricing_view') AND ts > %(now)s - interval '30 days'),
    (SELECT count(*) FROM ev WHERE type IN ('checkout', 'upgrade', 'contract_signed')),
    (SELECT extract(epoch FROM %(now)s - max(ts)) / 86400 FROM ev),
    (SELECT count(*) FROM ev WHERE type IN ('usage_milestone', 'collaborator_invited', 'automation_created')),
    (SELECT coalesce(sum(revenue), 0) FROM ord),
    (SELECT coalesce(sum(qty), 0) FROM ord),
    (SELECT coalesce(sum(r.quantity), 0) FROM returns r JOIN orders o USING (tenant_id, order_id)
      WHERE o.customer_id = %(c)s),
    (SELECT count(*) FROM tickets WHERE customer_id = %(c)s AND status IN ('open', 'pending')),
    (SELECT count(*) FROM outbox WHERE customer_id = %(c)s AND status IN ('pending', 'sending', 'delivered')
      AND created_at > %(now)s - interval '7 days'),
    (SELECT count(*) FROM ev WHERE type IN ('unsubscribe', 'complaint'))
"""


class Signals(BaseModel):
    """What a decision knows about one customer right now; every score is in 0..1 except clv (currency)."""

    customer_id: str
    scores: dict[str, float]
    views_30d: int
    carts_30d: int
    purchases_90d: int
    days_since_active: float | None
    revenue: float
    returns_rate: float
    open_tickets: int
    sends_7d: int
    complaints_90d: int
    reasons: dict[str, str] = Field(default_factory=dict)
    source: str = "rules"


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def load_signals(conn: psycopg.Connection[Any], customer_id: str, now: datetime) -> Signals:
    row = conn.execute(SIGNALS_SQL, {"c": customer_id, "now": now}).fetchone()
    assert row is not None
    return signals_from_row(customer_id, row)


def signals_from_row(customer_id: str, row: tuple[Any, ...]) -> Signals:
    """Rule scores from one row of SIGNALS_SQL (split out so callers can pipeline the query)."""
    views, carts, buys, idle, usage, revenue, qty, returned, tickets, sends, complaints = row
    idle_days = None if idle is None else float(idle)
    returns_rate = float(returned) / float(qty) if qty else 0.0
    propensity = _logistic(-3.2 + 0.15 * min(views, 20) + 0.9 * min(carts, 3) + 0.5 * min(buys, 3))
    churn = 1 - math.exp(-(idle_days if idle_days is not None else 90) / 30)
    upgrade = _logistic(-2.5 + 0.8 * min(usage, 4) + 0.05 * min(views, 20))
    scores = {
        "purchase_propensity": round(propensity, 4),
        "churn_risk": round(churn, 4),
        "upgrade_fit": round(upgrade, 4),
        "clv": round(float(revenue) * (1 - churn) * 1.5, 2),
        "returns_risk": round(min(1.0, 0.05 + returns_rate), 4),
        "complaint_risk": round(min(1.0, 0.02 + 0.15 * tickets + 0.3 * min(complaints, 2)), 4),
    }
    reasons = {
        "purchase_propensity": f"{views} views and {carts} cart adds in 30 days, {buys} purchases in 90",
        "churn_risk": "no activity in 90 days" if idle_days is None else f"last active {idle_days:.0f} days ago",
        "upgrade_fit": f"{usage} usage milestones in 90 days",
        "returns_risk": f"returned {returns_rate:.0%} of items bought",
        "complaint_risk": f"{tickets} open tickets, {complaints} unsubscribes/complaints",
    }
    return Signals(
        customer_id=customer_id,
        scores=scores,
        views_30d=views,
        carts_30d=carts,
        purchases_90d=buys,
        days_since_active=idle_days,
        revenue=float(revenue),
        returns_rate=returns_rate,
        open_tickets=tickets,
        sends_7d=sends,
        complaints_90d=complaints,
        reasons=reasons,
    )


def with_model_scores(
    db: Database, tenant: str, signals: Signals, now: datetime, conn: psycopg.Connection[Any]
) -> Signals:
    """Overlay the scoring part's model scores (and their reasons) once the tenant's models are trained.

    Scores are read through the caller's ``conn``: asking for a second connection while holding one
    deadlocked the API once as many requests as the pool has connections did so at once."""
    if not registry.active_versions(conn):
        return signals
    try:
        scored = score_customer(db, tenant, signals.customer_id, now=now, conn=conn)
    except ModelsNotTrainedError:
        return signals
    scores, reasons = dict(signals.scores), dict(signals.reasons)
    for name, score in scored.scores.items():
        scores[name] = float(score.value)
        if score.reasons:
            reasons[name] = "; ".join(r.text for r in score.reasons[:3])
    return signals.model_copy(update={"scores": scores, "reasons": reasons, "source": "models"})
