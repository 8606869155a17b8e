"""Escalations in the review queue: a run that no model tier could carry on waits for a person here.

The run submits one item per (run, key) — a replayed node finds the item it queued before — and waits at
an approval interrupt. Deciding the item is deciding the run: the surfaces resume the run with the
decision (graphs/runs.py `decide_item`), and the run marks its item approved or rejected when it acts on it.
"""

from __future__ import annotations

from hyperjourney.db.database import Database
from hyperjourney.guardrails.pii_vault import audit_redacted
from hyperjourney.review.queue import EscalationRequest, ReviewItem, submit_in


def submit_escalation(db: Database, tenant: str, request: EscalationRequest, *, key: str) -> str:
    """Queue the escalation unless this run already queued it under ``key``; returns the item id."""
    with db.tenant(tenant) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"escalation:{request.run_id}:{key}",))
        row = conn.execute(
            "SELECT item_id FROM review_items WHERE run_id = %s AND escalation_key = %s", (request.run_id, key)
        ).fetchone()
        if row is not None:
            return str(row[0])
        stages = ", ".join(dict.fromkeys(e.stage for e in request.escalations))
        item = ReviewItem(
            kind="escalation",
            title=f"{request.flow} run {request.run_id}: {stages} escalated",
            payload=request.model_dump(mode="json"),
            reasons=[f"{e.stage}: {r}" for e in request.escalations for r in e.reasons],
            risk=["low_confidence"],
            submitted_by="agents",
            run_id=request.run_id,
        )
        item_id = submit_in(conn, item)
        conn.execute("UPDATE review_items SET escalation_key = %s WHERE item_id = %s", (key, item_id))
    return item_id


def resolve_escalation(db: Database, tenant: str, item_id: str, *, approved: bool, reviewer: str, note: str) -> None:
    """Record the run's decision on its item (a replay that finds it decided changes nothing)."""
    status = "approved" if approved else "rejected"
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "UPDATE review_items SET status = %s, reviewer = %s, note = %s, decided_at = now() "
            "WHERE item_id = %s AND kind = 'escalation' AND status = 'pending' RETURNING revision",
            (status, reviewer, note or None, item_id),
        ).fetchone()
        if row is not None:
            audit_redacted(
                conn,
                actor=reviewer,
                action=f"review_{'approve' if approved else 'reject'}",
                entity=item_id,
                payload={"revision": row[0], "note": note},
            )


def pending_for_run(db: Database, tenant: str, item_id: str) -> str | None:
    """The run a pending escalation item holds (None: not an escalation, or already decided)."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT run_id FROM review_items WHERE item_id = %s AND kind = 'escalation' AND status = 'pending'",
            (item_id,),
        ).fetchone()
    return None if row is None else str(row[0])
