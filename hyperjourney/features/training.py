"""Point-in-time training sets: features as of a cutoff, outcomes only from after it.

Features come from the feature-store SQL run with ``as_of = cutoff`` (it reads nothing at or after the
cutoff); labels come from a separate query that reads nothing before it. So a model trained on these rows
never sees the future of its own features.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel

from hyperjourney.features.store import compute, whole_tenant_plan

_LABELS = (resources.files("hyperjourney.features") / "labels.sql").read_text(encoding="utf-8")

HORIZON = timedelta(days=30)  # purchase, churn, upgrade and send-hour outcomes
VALUE_HORIZON = timedelta(days=60)  # CLV: spend in the next 60 days; next category: first order in it


class Outcome(BaseModel):
    active: bool  # any action of their own (an order or an event) in the horizon (not churned)
    cancelled: bool = False  # a subscription cancellation in the horizon
    next_order_days: float | None = None  # days from the cutoff to their next order (None: none in the data)
    purchased: bool  # an order or a paid conversion in the horizon
    expanded: bool  # upgrade, seats, contract, demo/meeting/trial, or a first order in a new category
    spend: float  # order value in the value horizon
    next_category: str | None
    categories: list[str]  # categories ordered in the horizon
    hours: list[int]  # local hours of their actions in the horizon


class Example(BaseModel):
    customer_id: str
    cutoff: datetime
    features: dict[str, Any]
    outcome: Outcome


def outcomes(
    conn: psycopg.Connection[Any],
    start: datetime,
    horizon: timedelta = HORIZON,
    value_horizon: timedelta = VALUE_HORIZON,
) -> dict[str, Outcome]:
    """What each customer who existed at ``start`` did in the horizons after it."""
    with conn.cursor(row_factory=dict_row) as cur, whole_tenant_plan(conn):
        rows = cur.execute(_LABELS, {"start": start, "horizon": horizon, "value_horizon": value_horizon}).fetchall()
    return {
        r["customer_id"]: Outcome(
            active=r["active"],
            cancelled=r["cancelled"],
            next_order_days=r["next_order_days"],
            purchased=r["purchased"],
            expanded=r["expanded"],
            spend=round(float(r["spend"]), 2),
            next_category=r["next_category"],
            categories=r["categories"],
            hours=r["hours"],
        )
        for r in rows
    }


def training_set(
    conn: psycopg.Connection[Any],
    cutoff: datetime,
    horizon: timedelta = HORIZON,
    value_horizon: timedelta = VALUE_HORIZON,
) -> list[Example]:
    """One example per customer who existed before ``cutoff``: features as of it, outcomes after it."""
    feats = compute(conn, cutoff)
    outs = outcomes(conn, cutoff, horizon, value_horizon)
    examples = []
    for cid, f in feats.items():
        out = outs[cid]
        new_category = f["orders_total"] > 0 and bool(set(out.categories) - set(f["categories"]))
        if new_category and not out.expanded:
            out = out.model_copy(update={"expanded": True})
        examples.append(Example(customer_id=cid, cutoff=cutoff, features=f, outcome=out))
    return examples
