"""The append-only audit log: hash-chained per tenant in the database, verified here.

The chain is written by a trigger (see migration 0001) so no caller can forge a hash; the application
role may only INSERT. Verification recomputes every hash and checks links, gaps and the chain head.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

GENESIS = "0" * 64


def append(
    conn: psycopg.Connection[Any], *, actor: str, action: str, entity: str = "", payload: dict[str, Any] | None = None
) -> int:
    """Append one entry for the bound tenant; returns its sequence number."""
    row = conn.execute(
        "INSERT INTO audit_log (tenant_id, actor, action, entity, payload) "
        "VALUES (current_tenant(), %s, %s, %s, %s) RETURNING seq",
        (actor, action, entity, Jsonb(payload or {})),
    ).fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class VerifyResult:
    rows: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: psycopg.Connection[Any]) -> VerifyResult:
    """Check the bound tenant's whole chain: edited rows, deleted rows and a truncated tail."""
    rows = conn.execute(
        "SELECT seq, prev_hash, hash, "
        "audit_row_hash(prev_hash, tenant_id, seq, ts, actor, action, entity, payload) "
        "FROM audit_log ORDER BY seq"
    ).fetchall()
    result = VerifyResult(len(rows))
    expected_seq, expected_prev = 1, GENESIS
    for seq, prev_hash, stored, recomputed in rows:
        if seq != expected_seq:
            result.problems.append(f"entries {expected_seq}..{seq - 1} are missing (deleted)")
        elif prev_hash != expected_prev:
            result.problems.append(f"entry {seq} does not link to entry {seq - 1} (chain broken)")
        if stored != recomputed:
            result.problems.append(f"entry {seq} was modified after it was written (hash mismatch)")
        expected_seq, expected_prev = seq + 1, stored
    head = conn.execute("SELECT seq, hash FROM audit_heads").fetchone()
    if head is not None:
        head_seq, head_hash = head
        if head_seq >= expected_seq:
            result.problems.append(f"entries {expected_seq}..{head_seq} at the end are missing (deleted)")
        elif head_seq == expected_seq - 1 and head_hash != expected_prev:
            result.problems.append(f"entry {head_seq} differs from the recorded chain head")
    elif rows:
        result.problems.append("the chain head is missing")
    return result
