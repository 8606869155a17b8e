"""The transactional outbox: an action is written once (idempotency key unique per tenant), in the same
transaction as the decision that produced it, and audited; cancel and rollback go through here too.

The stored message is what is sent: a rendered body goes to the channel byte for byte, and copy that still
holds a citation marker (never rendered) is refused before anything is written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.assets.marked import MARKER_START
from hyperjourney.channels.adapters import Adapter
from hyperjourney.channels.models import Delivery, Message, OutboundAction, Receipt, RollbackUnsupportedError
from hyperjourney.data import audit
from hyperjourney.db.database import Database

STATUSES = ("held", "pending", "sending", "delivered", "dead", "cancelled", "refused", "rolled_back")


class OutboxRow(BaseModel):
    action_id: int
    idempotency_key: str
    customer_id: str
    channel: str
    purpose: str
    status: str
    attempts: int
    max_attempts: int | None  # None: the dispatcher's HYPERJOURNEY_CHANNELS__MAX_ATTEMPTS
    next_attempt_at: datetime
    last_error: str | None
    journey_id: str | None
    variant: str | None
    created_at: datetime
    sent_at: datetime | None
    payload: dict[str, Any]
    rationale: dict[str, Any]
    receipt: dict[str, Any] | None


class UnrenderedCopyError(ValueError):
    """The message still holds citation markers: render the asset before it goes to a customer."""


class CancelError(ValueError):
    """The action cannot be cancelled or rolled back in its current state."""


def enqueue(
    conn: psycopg.Connection[Any], action: OutboundAction, *, actor: str = "system", held: bool = False
) -> tuple[int, bool]:
    """Write the action once; returns (action_id, created). A repeated key returns the existing row untouched.
    ``held`` writes it for review (review/held.py): no dispatcher claims it until a reviewer releases it."""
    for field, value in (("subject", action.message.subject), ("body", action.message.body)):
        if value and MARKER_START in value:
            raise UnrenderedCopyError(
                f"outbox action {action.idempotency_key!r}: message {field} contains {MARKER_START!r}; "
                "render the copy asset before sending it"
            )
    row = conn.execute(
        "INSERT INTO outbox (idempotency_key, customer_id, channel, purpose, payload, rationale, journey_id, "
        "enrollment_id, variant, next_attempt_at, max_attempts, status) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, coalesce(%s, now()), %s, %s) "
        "ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING action_id",
        (
            action.idempotency_key,
            action.customer_id,
            action.channel,
            action.purpose,
            Jsonb(action.message.model_dump()),
            Jsonb({**action.rationale, "evidence": action.evidence}),
            action.journey_id,
            action.enrollment_id,
            action.variant,
            action.send_at,
            action.max_attempts,
            "held" if held else "pending",
        ),
    ).fetchone()
    if row is None:
        existing = conn.execute(
            "SELECT action_id FROM outbox WHERE idempotency_key = %s", (action.idempotency_key,)
        ).fetchone()
        assert existing is not None
        return int(existing[0]), False
    action_id = int(row[0])
    audit.append(
        conn,
        actor=actor,
        action="outbox_hold" if held else "outbox_enqueue",
        entity=f"outbox:{action_id}",
        payload={
            "key": action.idempotency_key,
            "customer_id": action.customer_id,
            "channel": action.channel,
            "purpose": action.purpose,
            "why": action.message.why,
            "rationale": action.rationale,
            "evidence": action.evidence,
        },
    )
    return action_id, True


def list_actions(
    db: Database, tenant: str, *, status: str | None = None, customer_id: str | None = None, limit: int = 50
) -> list[OutboxRow]:
    with db.tenant(tenant) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT action_id, idempotency_key, customer_id, channel, purpose, status, attempts, max_attempts, "
            "next_attempt_at, last_error, journey_id, variant, created_at, sent_at, payload, rationale, receipt "
            "FROM outbox WHERE (%(s)s::text IS NULL OR status = %(s)s) "
            "AND (%(c)s::text IS NULL OR customer_id = %(c)s) ORDER BY action_id DESC LIMIT %(n)s",
            {"s": status, "c": customer_id, "n": limit},
        ).fetchall()
    return [OutboxRow(**r) for r in rows]


def counts(db: Database, tenant: str) -> dict[str, int]:
    with db.tenant(tenant) as conn:
        return {s: int(n) for s, n in conn.execute("SELECT status, count(*) FROM outbox GROUP BY status")}


def cancel(
    db: Database, tenant: str, action_id: int, adapters: dict[str, Adapter], *, actor: str, reason: str = ""
) -> str:
    """Cancel a pending action, or roll back a delivered one where the channel allows; returns the new status."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT status, channel, idempotency_key, customer_id, purpose, payload, attempts, max_attempts, receipt "
            "FROM outbox WHERE action_id = %s FOR UPDATE",
            (action_id,),
        ).fetchone()
        if row is None:
            raise CancelError(f"no outbox action {action_id}")
        status, channel, key, customer_id, purpose, payload, attempts, max_attempts, receipt = row
        if status == "pending":
            new = "cancelled"
        elif status == "delivered":
            adapter = adapters[channel]
            delivery = Delivery(
                action_id=action_id,
                idempotency_key=key,
                customer_id=customer_id,
                channel=channel,
                purpose=purpose,
                message=Message(**payload),
                attempts=attempts,
                max_attempts=max_attempts or attempts,  # a rollback is one call; the limit does not apply
            )
            try:
                adapter.rollback(delivery, Receipt(**(receipt or {"adapter": adapter.name})))
            except RollbackUnsupportedError as exc:
                raise CancelError(f"action {action_id} on {channel}: {exc}") from exc
            new = "rolled_back"
        elif status == "sending":
            raise CancelError(f"action {action_id} is being sent right now; try again in a moment")
        elif status == "held":
            item = conn.execute("SELECT item_id FROM review_items WHERE outbox_action_id = %s", (action_id,)).fetchone()
            raise CancelError(
                f"action {action_id} is held for review ({item[0] if item else 'no item'}); reject it in the review "
                "queue, which cancels it"
            )
        else:
            raise CancelError(f"action {action_id} is {status}; nothing to cancel")
        conn.execute("UPDATE outbox SET status = %s, last_error = %s WHERE action_id = %s", (new, reason, action_id))
        audit.append(
            conn, actor=actor, action=f"outbox_{new}", entity=f"outbox:{action_id}", payload={"reason": reason}
        )
    return new


def address_for(conn: psycopg.Connection[Any], customer_id: str, channel: str) -> str:
    """The customer's first known address for the channel (email, phone); the customer id elsewhere."""
    kind = {"email": "email", "sms": "phone"}.get(channel)
    if kind is None:
        return customer_id
    row = conn.execute(
        "SELECT raw_value FROM identities WHERE customer_id = %s AND kind = %s ORDER BY created_at LIMIT 1",
        (customer_id, kind),
    ).fetchone()
    return str(row[0]) if row else customer_id
