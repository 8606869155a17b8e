"""The assistant's action ledger: one row per idempotency key holding the action's typed result.

An action takes a transaction-scoped advisory lock on its key, then reads the ledger: a key already there
returns its stored result (a retried request, a replayed graph node, a double click) and writes nothing."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.conversations.models import ActionKind


def claim(conn: psycopg.Connection[Any], key: str) -> dict[str, Any] | None:
    """Lock ``key`` for this transaction; the stored result when the action already ran, else None."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_tenant() || ':assistant:' || %s))", (key,))
    row = conn.execute("SELECT result FROM assistant_actions WHERE idempotency_key = %s", (key,)).fetchone()
    return dict(row[0]) if row else None


def record(conn: psycopg.Connection[Any], key: str, kind: ActionKind, customer_id: str, result: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO assistant_actions (idempotency_key, kind, customer_id, result) VALUES (%s, %s, %s, %s)",
        (key, kind, customer_id, Jsonb(result)),
    )
