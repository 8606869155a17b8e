"""A small shop for the assistant tests: customers with an email identity, products, an owner's free slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hyperjourney.conversations import calendar
from hyperjourney.conversations.models import Slot
from hyperjourney.db.database import Database
from tests.actions_fixtures import add_customers

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # a Tuesday, in office hours


def open_shop(db: Database, tenant: str, customers: dict[str, str | None]) -> None:
    """``customers``: id → age band (None: unknown age); each gets ``<id>@example.com``."""
    for cid, band in customers.items():
        add_customers(db, tenant, [cid], marketing=(), age_band=band)
    with db.tenant(tenant) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
            "VALUES (current_tenant(), %s, 'email', %s, %s)",
            [(cid, f"{cid}@example.com", f"{cid}@example.com") for cid in customers],
        )
        cur.executemany(
            "INSERT INTO products (tenant_id, product_id, name, category, price, margin, inventory, age_gated) "
            "VALUES (current_tenant(), %s, %s, 'goods', 20, 0.3, %s, %s)",
            [("p_tea", "Green tea", 12, False), ("p_wine", "Red wine", 9, True), ("p_gone", "Sold-out mug", 0, False)],
        )
        calendar.add_slots(
            conn,
            [
                Slot(
                    slot_id=f"s{i}",
                    owner_id="owner_ana",
                    owner_email="ana@northwind.example",
                    starts_at=NOW + timedelta(days=1, hours=i),
                    ends_at=NOW + timedelta(days=1, hours=i, minutes=30),
                )
                for i in range(3)
            ],
        )
