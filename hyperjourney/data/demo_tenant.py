"""Create and fill the synthetic demo tenant through the same validated COPY path as file ingestion."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

from hyperjourney.data import audit, identities
from hyperjourney.data.brand import Brand, store_brand
from hyperjourney.data.ingest.datasets import DATASETS
from hyperjourney.data.ingest.loader import LoadResult, load_rows
from hyperjourney.data.ingest.rows import Row
from hyperjourney.db.database import Database

if TYPE_CHECKING:
    from hyperjourney.data.seed.generator import DemoData

DEMO_TENANT = "demo"
DEMO_BRAND = Brand(
    name="Northwind",
    signature="Northwind Support",
    marketing_footer="You are receiving this because you opted in to Northwind updates. Unsubscribe · "
    "Manage preferences · Northwind, 500 Harbor Street, Seattle, WA 98101",
)


@dataclass(frozen=True)
class SeedResult:
    loaded: dict[str, LoadResult]
    resolve: identities.ResolveResult


def is_empty(db: Database, tenant: str) -> bool:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM customers)").fetchone() == (True,)


def seed(
    db: Database,
    tenant: str = DEMO_TENANT,
    *,
    seed_value: int = 7,
    customers: int = 5000,
    events: int = 250_000,
    tickets: int = 1000,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedResult:
    """Generate deterministically and load in dependency order, all in one transaction."""
    from hyperjourney.data.seed.generator import generate  # large module; only seeding needs it

    db.create_tenant(tenant, "Northwind Cloud & Goods (demo)")
    data = generate(seed=seed_value, customers=customers, events=events, tickets=tickets)
    order: list[tuple[str, Sequence[Row]]] = _load_order(data)
    loaded: dict[str, LoadResult] = {}
    with db.tenant(tenant) as conn:
        for name, rows in order:
            loaded[name] = _load(conn, name, rows, progress)
        resolved = identities.resolve(conn)
        store_brand(conn, DEMO_BRAND, actor="seed")
        audit.append(
            conn,
            actor="seed",
            action="seed_demo",
            entity=tenant,
            payload={"seed": seed_value, "rows": {k: v.read for k, v in loaded.items()}},
        )
    return SeedResult(loaded, resolved)


def _load_order(data: DemoData) -> list[tuple[str, Sequence[Row]]]:
    return [
        ("customers", data.customers),
        ("products", data.products),
        ("consents", data.consents),
        ("events", data.events),
        ("orders", data.order_lines),
        ("tickets", data.ticket_messages),
    ]


def _load(
    conn: psycopg.Connection[Any],
    name: str,
    rows: Sequence[Row],
    progress: Callable[[str, int, int], None] | None,
) -> LoadResult:
    total = len(rows)
    tick = None if progress is None else (lambda n: progress(name, n, total))
    return load_rows(conn, DATASETS[name], enumerate(rows, start=1), progress=tick)
