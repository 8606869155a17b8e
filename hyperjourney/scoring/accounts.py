"""Account briefs for the Sales dashboard: the customers a score ranks highest, with the score's reasons (the
intent signals) and their latest events. Read-only, structured columns only (no ticket or message text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel


class Activity(BaseModel):
    type: str
    ts: datetime
    channel: str | None = None


class AccountBrief(BaseModel):
    customer_id: str
    company: str | None = None
    industry: str | None = None
    lifecycle_stage: str
    score: str
    value: float
    signals: list[str]
    recent: list[Activity]


def top_accounts(
    conn: psycopg.Connection[Any], *, score: str = "purchase_propensity", limit: int = 5, recent: int = 5
) -> list[AccountBrief]:
    """The ``limit`` customers with the highest ``score``, each with its reasons and ``recent`` latest events."""
    rows = conn.execute(
        "SELECT s.customer_id, c.company, c.industry, c.lifecycle_stage, s.value, s.reasons FROM customer_scores s "
        "JOIN customers c ON c.customer_id = s.customer_id WHERE s.name = %s "
        "ORDER BY s.value DESC, s.customer_id LIMIT %s",
        (score, limit),
    ).fetchall()
    ids = [r[0] for r in rows]
    events: dict[str, list[Activity]] = {}
    for customer, kind, ts, channel in conn.execute(
        "SELECT customer_id, type, ts, channel FROM (SELECT customer_id, type, ts, channel, row_number() OVER "
        "(PARTITION BY customer_id ORDER BY ts DESC, event_id) AS n FROM events WHERE customer_id = ANY(%s)) e "
        "WHERE n <= %s ORDER BY customer_id, ts DESC",
        (ids, recent),
    ):
        events.setdefault(customer, []).append(Activity(type=kind, ts=ts, channel=channel))
    return [
        AccountBrief(
            customer_id=cid,
            company=company,
            industry=industry,
            lifecycle_stage=stage,
            score=score,
            value=float(value),
            signals=[str(r.get("text", "")) for r in reasons or [] if r.get("feature") != "data_quality"][:3],
            recent=events.get(cid, []),
        )
        for cid, company, industry, stage, value, reasons in rows
    ]
