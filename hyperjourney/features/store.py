"""Compute, store and read customer features.

Batch and single-customer refreshes run the same set-based SQL (features.sql) and the same derivation,
so an incremental update equals a full recompute. Readers get the features' stale flags from their SLAs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.features.definitions import DEFINITIONS, FEATURE_SET
from hyperjourney.features.derive import derive

_SQL = (resources.files("hyperjourney.features") / "features.sql").read_text(encoding="utf-8")


class FeatureRow(BaseModel):
    customer_id: str
    values: dict[str, Any]
    as_of: datetime
    computed_at: datetime
    feature_set: int
    stale: list[str]


class RefreshReport(BaseModel):
    customers: int
    as_of: datetime
    seconds: float


def data_time(conn: psycopg.Connection[Any]) -> datetime:
    """The moment the tenant's data reaches: just after its latest event, order or ticket (never the future)."""
    row = conn.execute(
        "SELECT greatest((SELECT max(ts) FROM events), (SELECT max(ordered_at) FROM orders), "
        "(SELECT max(opened_at) FROM tickets))"
    ).fetchone()
    now = datetime.now(UTC)
    if row is None or row[0] is None:
        return now
    return min(row[0] + timedelta(seconds=1), now)


def compute(
    conn: psycopg.Connection[Any], as_of: datetime, customer_ids: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Feature values as of ``as_of`` (only data before it) for surviving customers; None ids: everyone."""
    ids = list(customer_ids) if customer_ids is not None else None
    with conn.cursor(row_factory=dict_row) as cur, whole_tenant_plan(conn, ids is None):
        rows = cur.execute(_SQL, {"as_of": as_of, "ids": ids}).fetchall()
    return {row["customer_id"]: derive(row) for row in rows}


@contextmanager
def whole_tenant_plan(conn: psycopg.Connection[Any], whole: bool = True) -> Iterator[None]:
    """Hash joins for whole-tenant aggregates.

    Freshly loaded tables have no statistics yet, and the planner then picks nested loops that take
    minutes instead of a second; one customer's lookup keeps the index plan.
    """
    if whole:
        conn.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        if whole:
            conn.execute("SET LOCAL enable_nestloop = on")


def register_definitions(conn: psycopg.Connection[Any]) -> None:
    conn.cursor().executemany(
        "INSERT INTO feature_definitions (name, version, description, sources, freshness_sla) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (tenant_id, name, version) DO UPDATE "
        "SET description = EXCLUDED.description, sources = EXCLUDED.sources, freshness_sla = EXCLUDED.freshness_sla",
        [(d.name, d.version, d.description, list(d.sources), d.freshness_sla) for d in DEFINITIONS.values()],
    )


def _write(conn: psycopg.Connection[Any], values: dict[str, dict[str, Any]], as_of: datetime) -> None:
    conn.cursor().executemany(
        "INSERT INTO customer_features (customer_id, feature_set, features, as_of, computed_at) "
        "VALUES (%s, %s, %s, %s, clock_timestamp()) ON CONFLICT (tenant_id, customer_id) DO UPDATE "
        "SET feature_set = EXCLUDED.feature_set, features = EXCLUDED.features, as_of = EXCLUDED.as_of, "
        "computed_at = EXCLUDED.computed_at",
        [(cid, FEATURE_SET, Jsonb(f), as_of) for cid, f in values.items()],
    )


def refresh_all(
    db: Database,
    tenant: str,
    *,
    as_of: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> RefreshReport:
    """Recompute every customer's features in one transaction (set-based SQL, then one bulk upsert)."""
    started = time.perf_counter()
    with db.tenant(tenant) as conn:
        at = as_of or data_time(conn)
        if progress:
            progress("computing features")
        values = compute(conn, at)
        if progress:
            progress("writing features")
        register_definitions(conn)
        conn.execute("DELETE FROM customer_features WHERE NOT (customer_id = ANY(%s))", (list(values),))
        _write(conn, values, at)
    return RefreshReport(customers=len(values), as_of=at, seconds=round(time.perf_counter() - started, 3))


def refresh_customer(db: Database, tenant: str, customer_id: str, *, as_of: datetime | None = None) -> FeatureRow:
    """Recompute one customer (and the account roll-ups of their colleagues) after a new event.

    A merged duplicate id refreshes the profile it was merged into.
    """
    with db.tenant(tenant) as conn:
        return refresh_customer_in(conn, customer_id, as_of=as_of)


def refresh_customer_in(
    conn: psycopg.Connection[Any], customer_id: str, *, as_of: datetime | None = None
) -> FeatureRow:
    """:func:`refresh_customer` inside the caller's transaction (a caller holding a connection takes no other)."""
    row = conn.execute(
        "SELECT c.customer_id, c.account_id, c.created_at FROM customers c WHERE c.customer_id = "
        "(SELECT coalesce(merged_into, customer_id) FROM customers WHERE customer_id = %s)",
        (customer_id,),
    ).fetchone()
    if row is None:
        raise ValueError(f"customer_id {customer_id!r} does not exist in this tenant")
    cid, account, created = row
    # a profile created after the data's last event still gets features (as of just after its creation)
    at = as_of or max(data_time(conn), min(created + timedelta(microseconds=1), datetime.now(UTC)))
    ids = [cid]
    if account is not None:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT customer_id FROM customers WHERE account_id = %s AND merged_into IS NULL", (account,)
            )
        ]
    values = compute(conn, at, ids)
    _write(conn, values, at)
    found = read(conn, cid)
    if found is None:
        raise ValueError(f"customer_id {customer_id!r} was created after {at.isoformat()}; no features as of then")
    return found


def read(conn: psycopg.Connection[Any], customer_id: str, *, now: datetime | None = None) -> FeatureRow | None:
    """The stored features of one customer with the names of those past their freshness SLA."""
    row = conn.execute(
        "SELECT customer_id, features, as_of, computed_at, feature_set FROM customer_features WHERE customer_id = %s",
        (customer_id,),
    ).fetchone()
    if row is None:
        return None
    return FeatureRow(
        customer_id=row[0],
        values=row[1],
        as_of=row[2],
        computed_at=row[3],
        feature_set=row[4],
        stale=stale_features(row[3], row[4], now),
    )


def stale_features(computed_at: datetime, feature_set: int, now: datetime | None = None) -> list[str]:
    """Features whose age exceeds their SLA, or that were computed by an older definition."""
    age = (now or datetime.now(UTC)) - computed_at
    return [name for name, d in DEFINITIONS.items() if age > d.freshness_sla or feature_set != d.version]
