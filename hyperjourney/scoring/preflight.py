"""Before any fitting: what the tenant's data can support, model by model, and what would enable the rest.

A handful of counts (seconds, even on a large tenant) decide which models are worth building, so a tenant
with customers and orders only trains its purchase and value models instead of failing on the first model
its data cannot support. The same profile fixes the tenant's business model and the churn horizon.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

import psycopg
from pydantic import BaseModel

from hyperjourney.scoring.text import MIN_TICKETS, labelled_tickets, packaged_quality

MIN_POSITIVES = 12  # of each class, in training and in the held-out window
MIN_EXAMPLES = 200  # training examples over all cutoffs
HISTORY_DAYS = 150  # a 60-day held-out window, a training cutoff 60 days before it, 30 days of data before that
# events that only a contract or subscription produces: their presence makes "churn" a cancellation or lapse
SUBSCRIPTION_EVENTS = (
    "login",
    "upgrade",
    "downgrade",
    "seat_added",
    "trial_started",
    "contract_signed",
    "subscription_started",
    "subscription_renewed",
    "subscription_cancelled",
    "cancellation",
)
EXPANSION_EVENTS = ("upgrade", "seat_added", "contract_signed", "demo_requested", "meeting_booked", "trial_started")
_CHURN_HORIZON_BOUNDS = (14, 60)  # days; the upper bound keeps held-out outcomes complete (60-day window)


class DataProfile(BaseModel):
    customers: int
    orders: int
    buyers: int
    repeat_buyers: int
    categories: int
    activity_events: int  # events the customer chose to take (not sends or deliveries)
    subscription_events: int
    expansion_events: int
    labelled_tickets: int
    first: datetime | None
    end: datetime
    span_days: float
    business_model: Literal["subscription", "non_contractual"]
    churn_horizon_days: int  # non-contractual churn: no order within this many days


class Readiness(BaseModel):
    model: str
    ready: bool
    reason: str  # what supports it, or why the data cannot
    needs: str | None = None  # the data that would enable it


_PROFILE_SQL = """
SELECT
  (SELECT count(*) FROM customers WHERE merged_into IS NULL AND created_at < %(end)s),
  (SELECT count(*) FROM orders WHERE status <> 'cancelled' AND ordered_at < %(end)s),
  (SELECT count(DISTINCT customer_id) FROM orders WHERE status <> 'cancelled' AND ordered_at < %(end)s),
  (SELECT count(*) FROM (SELECT customer_id FROM orders WHERE status <> 'cancelled' AND ordered_at < %(end)s
                         GROUP BY customer_id HAVING count(*) > 1) r),
  (SELECT count(DISTINCT category) FROM products),
  (SELECT count(*) FROM events WHERE ts < %(end)s AND type NOT IN ('unsubscribe', 'order_delivered', 'cart_abandoned')
     AND type NOT LIKE '%%\\_sent' AND type NOT LIKE '%%\\_delivered'),
  (SELECT count(*) FROM events WHERE ts < %(end)s AND type = ANY(%(sub)s)),
  (SELECT count(*) FROM events WHERE ts < %(end)s AND type = ANY(%(exp)s)),
  (SELECT least((SELECT min(ts) FROM events), (SELECT min(ordered_at) FROM orders),
                (SELECT min(opened_at) FROM tickets), (SELECT min(created_at) FROM customers))),
  (SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY gap) FROM (
     SELECT extract(epoch FROM ordered_at - lag(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at))
            / 86400.0 AS gap
     FROM orders WHERE status <> 'cancelled' AND ordered_at < %(end)s) g WHERE gap > 0)
"""


def profile(conn: psycopg.Connection[Any], end: datetime) -> DataProfile:
    """Counts over the tenant's data before ``end``: a few aggregate queries, no features, no fitting."""
    row = conn.execute(
        _PROFILE_SQL, {"end": end, "sub": list(SUBSCRIPTION_EVENTS), "exp": list(EXPANSION_EVENTS)}
    ).fetchone()
    assert row is not None
    customers, orders, buyers, repeat, categories, activity, sub, exp, first, gap = row
    low, high = _CHURN_HORIZON_BOUNDS
    horizon = int(min(max(round(float(gap)) if gap is not None else high, low), high))
    return DataProfile(
        customers=customers,
        orders=orders,
        buyers=buyers,
        repeat_buyers=repeat,
        categories=categories,
        activity_events=activity,
        subscription_events=sub,
        expansion_events=exp,
        labelled_tickets=len(labelled_tickets(conn)),
        first=first,
        end=end,
        span_days=round((end - first) / timedelta(days=1), 1) if first is not None else 0.0,
        business_model="subscription" if sub else "non_contractual",
        churn_horizon_days=horizon,
    )


def check(p: DataProfile) -> dict[str, Readiness]:
    """Per model: can this data support it, and if not, why and what would."""
    out: dict[str, Readiness] = {}
    base = _history(p)

    def add(model: str, blocker: tuple[str, str] | None, ok: str) -> None:
        blocker = base or blocker
        out[model] = (
            Readiness(model=model, ready=True, reason=ok)
            if blocker is None
            else Readiness(model=model, ready=False, reason=blocker[0], needs=blocker[1])
        )

    add(
        "purchase_propensity",
        None
        if p.buyers >= MIN_POSITIVES
        else (f"{p.buyers} customers ever ordered", f"orders from at least {MIN_POSITIVES} customers"),
        f"{p.orders:,} orders from {p.buyers:,} customers",
    )
    if p.business_model == "subscription":
        churn_block = (
            None if p.activity_events else ("no activity events", "logins, usage or other events of the customers' own")
        )
        churn_ok = (
            f"subscription business ({p.subscription_events:,} subscription events): churn is a cancellation or "
            "no action of their own in 30 days"
        )
    else:
        churn_block = (
            None
            if p.repeat_buyers >= MIN_POSITIVES
            else (
                f"{p.repeat_buyers} customers ordered more than once, so there are no purchase cycles to learn",
                f"repeat orders from at least {MIN_POSITIVES} customers",
            )
        )
        churn_ok = (
            f"non-contractual business: churn is no order within {p.churn_horizon_days} days (the 75th percentile "
            f"of {p.repeat_buyers:,} repeat buyers' inter-purchase times)"
        )
    add("churn_risk", churn_block, churn_ok)
    add(
        "upgrade_fit",
        None
        if p.categories >= 2 or p.expansion_events >= MIN_POSITIVES
        else (
            f"{p.categories} product categories and {p.expansion_events} expansion events: nothing to upgrade to",
            "a second product category, or upgrade, seat, contract, demo or trial events",
        ),
        f"{p.categories} categories, {p.expansion_events:,} expansion events",
    )
    add(
        "clv",
        None
        if p.buyers >= MIN_POSITIVES
        else (f"{p.buyers} customers ever ordered", f"orders from at least {MIN_POSITIVES} customers"),
        f"order values of {p.buyers:,} buyers",
    )
    add(
        "next_category",
        None
        if p.categories >= 2 and p.repeat_buyers >= MIN_POSITIVES
        else (
            f"{p.categories} product categories and {p.repeat_buyers} repeat buyers",
            "at least two product categories and repeat orders",
        ),
        f"{p.categories} categories, {p.repeat_buyers:,} repeat buyers",
    )
    add(
        "best_send_hour",
        None
        if p.activity_events
        else (
            "no events with a time of day (orders alone carry dates)",
            "timestamped events: opens, clicks, logins, page views",
        ),
        f"{p.activity_events:,} timestamped actions",
    )
    for name in ("ticket_intent", "ticket_sentiment"):
        if p.labelled_tickets >= MIN_TICKETS:
            out[name] = Readiness(model=name, ready=True, reason=f"{p.labelled_tickets:,} labelled tickets")
        else:
            q = packaged_quality(name)
            out[name] = Readiness(
                model=name,
                ready=False,
                reason=f"{p.labelled_tickets} labelled tickets (need {MIN_TICKETS}); the packaged classifier serves "
                f"this tenant (accuracy {q['accuracy']:.3f} on the project's held-out tickets)",
                needs=f"at least {MIN_TICKETS} tickets labelled with intent and sentiment",
            )
    return out


def _history(p: DataProfile) -> tuple[str, str] | None:
    if p.span_days < HISTORY_DAYS:
        return (
            f"too little history: the data spans {p.span_days:.0f} days",
            f"{HISTORY_DAYS} days of history (a 60-day held-out window, a training cutoff 60 days before it and "
            "30 days of data before that)",
        )
    if p.customers * 4 < MIN_EXAMPLES:
        return (f"too little data: {p.customers} customers", f"at least {MIN_EXAMPLES // 4} customers")
    return None
