"""Read-only figures over the review queue for the Brand dashboard: guardrail failures by rule and queue age.

A failed guard queues its asset with one reason per failure, "code: message" (queue.submit_asset), so the
code before the colon is the rule that failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg
from pydantic import BaseModel


class RuleFailures(BaseModel):
    rule: str
    failures: int
    pending: int


class QueueAge(BaseModel):
    """Pending items of one kind and how long they have waited."""

    kind: str
    pending: int
    oldest_hours: float
    median_hours: float


def failures_by_rule(conn: psycopg.Connection[Any], *, days: int = 30) -> list[RuleFailures]:
    rows = conn.execute(
        "SELECT split_part(reason, ':', 1) AS rule, count(*), count(*) FILTER (WHERE status = 'pending') "
        "FROM review_items, jsonb_array_elements_text(reasons) AS reason "
        "WHERE kind = 'asset' AND created_at >= now() - %s AND position(':' IN reason) > 0 "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        (timedelta(days=days),),
    ).fetchall()
    return [RuleFailures(rule=r, failures=int(n), pending=int(p)) for r, n, p in rows]


def queue_age(conn: psycopg.Connection[Any], now: datetime | None = None) -> list[QueueAge]:
    rows = conn.execute(
        "SELECT kind, count(*), extract(epoch FROM coalesce(%s, now()) - min(created_at)) / 3600, "
        "extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY coalesce(%s, now()) - created_at)) / 3600 "
        "FROM review_items WHERE status = 'pending' GROUP BY kind ORDER BY kind",
        (now, now),
    ).fetchall()
    return [QueueAge(kind=k, pending=int(n), oldest_hours=round(float(o), 2), median_hours=round(float(m), 2))
            for k, n, o, m in rows]  # fmt: skip
