"""Drift of the tenant's own activity: the most recent window against the reference period before it.

Per-customer rates are compared on windows of the same length (the reference period is cut into slices as long
as the recent window): a customer active once in 30 days has a higher daily rate than one active once in 90, so
windows of different lengths drift by construction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.monitoring.drift import DriftReading, base_rate_drift, feature_drift


def latest_activity(conn: psycopg.Connection[Any]) -> datetime | None:
    row = conn.execute("SELECT max(ts) FROM events").fetchone()
    return row[0] if row else None


def _slices(start: datetime, end: datetime, length: timedelta) -> list[tuple[datetime, datetime]]:
    """Back-to-back windows of ``length`` ending at ``end`` and starting no earlier than ``start``."""
    out = []
    while end - length >= start - timedelta(seconds=1):
        out.append((end - length, end))
        end -= length
    return out or [(start, end)]


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


def _buyers(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> tuple[int, int]:
    """(customers active in the window, how many of them ordered in it)."""
    row = conn.execute(
        "SELECT count(DISTINCT e.customer_id), count(DISTINCT o.customer_id) FROM events e "
        "LEFT JOIN orders o ON o.tenant_id = e.tenant_id AND o.customer_id = e.customer_id "
        "AND o.ordered_at >= %(s)s AND o.ordered_at < %(e)s WHERE e.ts >= %(s)s AND e.ts < %(e)s",
        {"s": start, "e": end},
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _buyer_share(windows: list[tuple[datetime, datetime]], conn: psycopg.Connection[Any]) -> tuple[float, int]:
    counts = [_buyers(conn, s, e) for s, e in windows]
    active = sum(a for a, _ in counts)
    return (sum(b for _, b in counts) / active if active else 0.0), active


def data_drift(
    conn: psycopg.Connection[Any], *, as_of: datetime | None = None, reference_days: int = 90, recent_days: int = 30
) -> list[DriftReading]:
    """Event intensity and order value distributions (PSI) and the buyer base rate, reference vs recent."""
    end = as_of or latest_activity(conn)
    if end is None:
        raise ValueError("no events in this tenant yet: drift needs data in both windows")
    split = end - timedelta(days=recent_days)
    start = split - timedelta(days=reference_days)
    slices = _slices(start, split, timedelta(days=recent_days))
    readings: list[DriftReading] = []
    ref_rate = [r for s, e in slices for r in _per_customer_rate(conn, s, e)]
    new_rate = _per_customer_rate(conn, split, end)
    if ref_rate and new_rate:
        readings.append(feature_drift("events per customer per day", ref_rate, new_rate))
    ref_orders, new_orders = _order_values(conn, start, split), _order_values(conn, split, end)
    if ref_orders and new_orders:
        readings.append(feature_drift("order value", ref_orders, new_orders))
    (ref_share, ref_n), (new_share, new_n) = _buyer_share(slices, conn), _buyer_share([(split, end)], conn)
    readings.append(
        base_rate_drift(f"buyer rate per {recent_days} days", ref_share, new_share, n_reference=ref_n, n_recent=new_n)
    )
    return readings
