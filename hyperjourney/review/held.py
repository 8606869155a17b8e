"""The outbox side of a held action: an action the policy sent to review waits in the outbox as 'held'
(never claimed by a dispatcher) until its review item is decided. Approval releases it to 'pending',
rejection cancels it; each transition matches only a held row, so it happens once, and is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from pydantic import BaseModel

from hyperjourney.channels.models import OutboundAction
from hyperjourney.data import audit

HELD_EDITABLE = frozenset({"send_at"})
"""What a reviewer may change on a held action: its message is already written, its timing is not final."""


class HeldActionError(ValueError):
    """The held action is no longer held (named in the message), so the decision cannot move it."""


class HeldAction(BaseModel):
    action_id: int
    item_id: str
    created: bool


def preview_of(action: OutboundAction) -> dict[str, Any]:
    """What the reviewer sees of the message (the address stays out: the item names the customer)."""
    m = action.message
    return {
        "channel": action.channel,
        "purpose": action.purpose,
        "subject": m.subject,
        "body": m.body,
        "why": m.why,
        "send_at": action.send_at.isoformat() if action.send_at else None,
        "key": action.idempotency_key,
    }


def _move(conn: psycopg.Connection[Any], action_id: int, item_id: str, *, to: str, actor: str, reason: str) -> None:
    row = conn.execute(
        "UPDATE outbox SET status = %s, last_error = %s WHERE action_id = %s AND status = 'held' RETURNING action_id",
        (to, reason or None, action_id),
    ).fetchone()
    if row is None:
        current = conn.execute("SELECT status FROM outbox WHERE action_id = %s", (action_id,)).fetchone()
        state = current[0] if current else "gone"
        raise HeldActionError(f"outbox action {action_id} of review item {item_id} is {state}, no longer held")
    event = "outbox_released" if to == "pending" else "outbox_cancelled"
    audit.append(
        conn,
        actor=actor,
        action=event,
        entity=f"outbox:{action_id}",
        payload={"review_item": item_id, "reason": reason},
    )


def release(conn: psycopg.Connection[Any], action_id: int, item_id: str, reviewer: str) -> None:
    """Approved: the dispatcher may now send it (consent is still re-checked at send)."""
    _move(conn, action_id, item_id, to="pending", actor=reviewer, reason="")


def cancel_held(conn: psycopg.Connection[Any], action_id: int, item_id: str, reviewer: str, reason: str) -> None:
    """Rejected: the action is cancelled and never sent."""
    _move(conn, action_id, item_id, to="cancelled", actor=reviewer, reason=f"rejected in review: {reason}")


def reschedule_held(conn: psycopg.Connection[Any], action_id: int, send_at: datetime) -> None:
    """A reviewer's edit of the send time applies to the held action itself."""
    conn.execute(
        "UPDATE outbox SET next_attempt_at = %s, rationale = rationale || jsonb_build_object('scheduled_at', %s::text) "
        "WHERE action_id = %s AND status = 'held'",
        (send_at, send_at.isoformat(), action_id),
    )
