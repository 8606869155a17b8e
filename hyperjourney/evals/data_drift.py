"""Drift of the tenant's own data: a reference window (what models trained on) against the most recent window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.evals.drift import DriftReading, base_rate_drift, feature_drift


def latest_activity(conn: psycopg.Connection[Any]) -> datetime | None:
    row = conn.execute("SELECT max(ts) FROM events").fetchone()
    return row[0] if row else None


def _per_customer_rate(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> list[float]:
    days = max((end - start).total_seconds() / 86400, 1.0)
    rows = conn.execute(
        "SELECT count(*) FROM events WHERE ts >= %s AND ts < %s GROUP BY customer_id", (start, end)
    ).fetchall()
    return [r[0] / days for r in rows]


def _order_values(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> list[float]:
    rows = conn.execute(
        "SELECT sum(l.quantity * l.unit_price) FROM orders o JOIN order_lines l USING (tenant_id, order_id) "
        "WHERE o.ordered_at >= %s AND o.ordered_at < %s GROUP BY o.order_id",
        (start, end),
    ).fetchall()
    return [float(r[0]) for r in rows]


def _buyer_rate(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> float:
    """Share of customers active in the window who ordered, per 30 days."""
    row = conn.execute(
        "SELECT count(DISTINCT e.customer_id), count(DISTINCT o.customer_id) FROM events e "
        "LEFT JOIN orders o ON o.tenant_id = e.tenant_id AND o.customer_id = e.customer_id "
        "AND o.ordered_at >= %(s)s AND o.ordered_at < %(e)s WHERE e.ts >= %(s)s AND e.ts < %(e)s",
        {"s": start, "e": end},
    ).fetchone()
    active, buyers = (row[0], row[1]) if row else (0, 0)
    days = max((end - start).total_seconds() / 86400, 1.0)
    return (buyers / active) * (30 / days) if active else 0.0


def data_drift(
    conn: psycopg.Connection[Any], *, as_of: datetime | None = None, reference_days: int = 90, recent_days: int = 30
) -> list[DriftReading]:
    """Event intensity and order value distributions (PSI) and the buyer base rate, reference vs recent."""
    end = as_of or latest_activity(conn)
    if end is None:
        raise ValueError("no events in this tenant yet: drift needs data in both windows")
    split = end - timedelta(days=recent_days)
    start = split - timedelta(days=reference_days)
    readings: list[DriftReading] = []
    ref_rate, new_rate = _per_customer_rate(conn, start, split), _per_customer_rate(conn, split, end)
    if ref_rate and new_rate:
        readings.append(feature_drift("events per customer per day", ref_rate, new_rate))
    ref_orders, new_orders = _order_values(conn, start, split), _order_values(conn, split, end)
    if ref_orders and new_orders:
        readings.append(feature_drift("order value", ref_orders, new_orders))
    readings.append(
        base_rate_drift("buyer rate per 30 days", _buyer_rate(conn, start, split), _buyer_rate(conn, split, end))
    )
    return readings
