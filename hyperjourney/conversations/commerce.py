"""Cart lines and product trials the assistant writes for a customer (the policy checks come first, in tools/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg

from hyperjourney.conversations.models import CartLine, Trial


def add_line(conn: psycopg.Connection[Any], customer_id: str, product_id: str, quantity: int) -> CartLine:
    """Add ``quantity`` of the product to the customer's cart (a second add of the same product adds up)."""
    row = conn.execute(
        "INSERT INTO cart_lines (customer_id, product_id, quantity) VALUES (%s, %s, %s) "
        "ON CONFLICT (tenant_id, customer_id, product_id) DO UPDATE SET quantity = cart_lines.quantity + "
        "EXCLUDED.quantity RETURNING quantity",
        (customer_id, product_id, quantity),
    ).fetchone()
    assert row is not None
    return CartLine(customer_id=customer_id, product_id=product_id, quantity=int(row[0]))


def start_trial(conn: psycopg.Connection[Any], customer_id: str, plan: str, *, at: datetime, days: int) -> Trial:
    """Start the plan's trial; a customer who already had one keeps it (a trial is not renewed by asking again)."""
    row = conn.execute(
        "INSERT INTO trials (customer_id, plan, started_at, ends_at) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (tenant_id, customer_id, plan) DO UPDATE SET plan = trials.plan RETURNING started_at, ends_at",
        (customer_id, plan, at, at + timedelta(days=days)),
    ).fetchone()
    assert row is not None
    return Trial(customer_id=customer_id, plan=plan, started_at=row[0], ends_at=row[1])
