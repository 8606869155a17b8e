"""The append-only audit log: hash-chained per tenant in the database, verified here.

The chain is written by triggers (migrations 0001 and 0016) so no caller can forge a hash; the application
role may only INSERT. A row is linked to the chain when its transaction commits, so a long transaction
never makes another writer of the tenant wait (the chain lock is held only while a commit links its rows).
Verification recomputes every hash and checks links, gaps and the chain head; signed checkpoints kept
outside the database (data/audit_checkpoints.py) catch what an administrator could rewrite consistently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

GENESIS = "0" * 64


def append(
    conn: psycopg.Connection[Any], *, actor: str, action: str, entity: str = "", payload: dict[str, Any] | None = None
) -> int:
    """Append one entry for the bound tenant; returns its id (its seq in the chain is set at commit)."""
    row = conn.execute(
        "INSERT INTO audit_log (tenant_id, actor, action, entity, payload) "
        "VALUES (current_tenant(), %s, %s, %s, %s) RETURNING id",
        (actor, action, entity, Jsonb(payload or {})),
    ).fetchone()
    assert row is not None
    return int(row[0])


def append_once(
    conn: psycopg.Connection[Any], key: str, *, actor: str, action: str, entity: str, payload: dict[str, Any]
) -> bool:
    """Append unless ``entity`` already has an entry keyed ``key`` (a replayed graph node); True if appended."""
    row = conn.execute(
        "INSERT INTO audit_log (tenant_id, actor, action, entity, payload, once_key) "
        "VALUES (current_tenant(), %s, %s, %s, %s, %s) "
        "ON CONFLICT (tenant_id, entity, once_key) WHERE once_key IS NOT NULL DO NOTHING RETURNING id",
        (actor, action, entity, Jsonb(payload), key),
    ).fetchone()
    return row is not None


@dataclass
class VerifyResult:
    rows: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Anchor:
    """A chain head known from outside the database (a signed checkpoint whose MAC was checked)."""

    seq: int
    hash: str
    at: datetime


def verify(conn: psycopg.Connection[Any], anchor: Anchor | None = None) -> VerifyResult:
    """Check the bound tenant's whole chain: edited rows, deleted rows and a truncated tail.

    With an ``anchor`` the chain must still hold that head: this catches an administrator who rewrote the
    chain consistently (re-chained after an edit, deleted the tail and rewound the head, deleted it all)."""
    rows = conn.execute(
        "SELECT seq, prev_hash, hash, "
        "audit_row_hash(prev_hash, tenant_id, seq, ts, actor, action, entity, payload) "
        "FROM audit_log WHERE seq IS NOT NULL ORDER BY seq"
    ).fetchall()
    result = VerifyResult(len(rows))
    expected_seq, expected_prev = 1, GENESIS
    stored_at: dict[int, str] = {}
    for seq, prev_hash, stored, recomputed in rows:
        stored_at[seq] = stored
        if seq != expected_seq:
            result.problems.append(f"entries {expected_seq}..{seq - 1} are missing (deleted)")
        elif prev_hash != expected_prev:
            result.problems.append(f"entry {seq} does not link to entry {seq - 1} (chain broken)")
        if stored != recomputed:
            result.problems.append(f"entry {seq} was modified after it was written (hash mismatch)")
        expected_seq, expected_prev = seq + 1, stored
    head = conn.execute("SELECT seq, hash FROM audit_heads").fetchone()
    last = expected_seq - 1
    if head is not None:
        head_seq, head_hash = head
        if head_seq >= expected_seq:
            result.problems.append(f"entries {expected_seq}..{head_seq} at the end are missing (deleted)")
            last = head_seq
        elif head_seq == expected_seq - 1 and head_hash != expected_prev:
            result.problems.append(f"entry {head_seq} differs from the recorded chain head")
    elif rows:
        result.problems.append("the chain head is missing")
    if anchor is not None:
        when = f"the signed checkpoint of {anchor.at:%Y-%m-%d %H:%M:%S}"
        if anchor.seq > last:
            result.problems.append(f"entries {last + 1}..{anchor.seq} recorded in {when} are missing (deleted)")
        elif anchor.seq in stored_at and stored_at[anchor.seq] != anchor.hash:
            result.problems.append(f"entry {anchor.seq} differs from {when} (the chain was rewritten)")
    return result
