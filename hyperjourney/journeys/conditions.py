"""Evaluate trigger and branch conditions against the event, the profile, scores and recent activity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.journeys.definition import Condition


class ConditionContext:
    """Looks values up lazily: the profile and scores are read only when a condition needs them."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        customer_id: str,
        event: dict[str, Any],
        at: datetime,
        scores: Callable[[], dict[str, float]],
    ) -> None:
        self.conn, self.customer_id, self.event, self.at = conn, customer_id, event, at
        self._scores_fn = scores
        self._scores: dict[str, float] | None = None
        self._profile: dict[str, Any] | None = None

    def value(self, field: str) -> Any:
        kind, name = field.split(".", 1)
        if kind == "event":
            return self.event.get(name)
        if kind == "score":
            if self._scores is None:
                self._scores = self._scores_fn()
            return self._scores.get(name)
        if kind == "customer":
            if self._profile is None:
                row = self.conn.execute(
                    "SELECT to_jsonb(c) - 'attributes' || attributes FROM customers c WHERE customer_id = %s",
                    (self.customer_id,),
                ).fetchone()
                self._profile = row[0] if row else {}
            return self._profile.get(name)
        row = self.conn.execute(
            "SELECT count(*) FROM events WHERE customer_id = %s AND type = %s AND ts > %s AND ts <= %s",
            (self.customer_id, name, self.at - timedelta(days=30), self.at),
        ).fetchone()
        return int(row[0]) if row else 0


def holds(cond: Condition, ctx: ConditionContext) -> bool:
    actual = ctx.value(cond.field)
    expected = cond.value
    if cond.op == "exists":
        return actual is not None
    if actual is None:
        return False
    if cond.op == "eq":
        return bool(actual == expected)
    if cond.op == "ne":
        return bool(actual != expected)
    if cond.op == "in":
        return actual in (expected or [])
    try:
        a, b = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[cond.op]


def all_hold(conditions: list[Condition], ctx: ConditionContext) -> bool:
    return all(holds(c, ctx) for c in conditions)
