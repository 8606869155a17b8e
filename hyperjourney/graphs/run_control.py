"""What an operator does to runs besides starting and answering them: list them by flow and status, a page
at a time, and cancel one that waits for an approval nobody will give (its approval can then not be given)."""

from __future__ import annotations

from datetime import datetime

from psycopg.types.json import Jsonb

from hyperjourney.db.database import Database
from hyperjourney.graphs.run_events import RunEvent, publish
from hyperjourney.graphs.runs import RunStateError, RunView
from hyperjourney.guardrails.pii_vault import audit_redacted

CANCELLABLE = "awaiting_approval"
_KEYS = ("run_id", "flow", "status", "request", "summary", "created_at")


def page_runs(
    db: Database,
    tenant: str,
    *,
    flow: str | None = None,
    status: str | None = None,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> list[RunView]:
    """Newest first; ``before`` is the (created_at, run_id) of the last run of the previous page."""
    at, last = before if before is not None else (None, None)
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT run_id, flow, status, request, summary, created_at FROM agent_runs "
            "WHERE (%(flow)s::text IS NULL OR flow = %(flow)s) AND (%(status)s::text IS NULL OR status = %(status)s) "
            "AND (%(at)s::timestamptz IS NULL OR (created_at, run_id) < (%(at)s, %(last)s)) "
            "ORDER BY created_at DESC, run_id DESC LIMIT %(limit)s",
            {"flow": flow, "status": status, "at": at, "last": last, "limit": limit},
        ).fetchall()
    return [RunView(**dict(zip(_KEYS, r, strict=True))) for r in rows]


def cancel_run(db: Database, tenant: str, run_id: str, *, actor: str, reason: str = "") -> RunView:
    """Mark a run awaiting approval as cancelled, audited in the same transaction; a later approve, edit or
    reject finds it cancelled and is refused. Raises ``RunStateError`` for an unknown run or another status."""
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT status FROM agent_runs WHERE run_id = %s FOR UPDATE", (run_id,)).fetchone()
        if row is None:
            raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
        if row[0] != CANCELLABLE:
            raise RunStateError(f"run {run_id} is {row[0]}; only a run awaiting approval can be cancelled")
        updated = conn.execute(
            "UPDATE agent_runs SET status = 'cancelled', summary = summary || %s, updated_at = now() "
            "WHERE run_id = %s RETURNING run_id, flow, status, request, summary, created_at",
            (Jsonb({"cancelled_by": actor}), run_id),
        ).fetchone()
        assert updated is not None
        audit_redacted(conn, actor=actor, action="run_cancelled", entity=run_id, payload={"reason": reason})
    publish(db, RunEvent(tenant=tenant, run_id=run_id, kind="end"))  # its followers' streams end now
    return RunView(**dict(zip(_KEYS, updated, strict=True)))
