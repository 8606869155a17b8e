"""A next-best action the policy sends to review is not returned as ready: it is written to the outbox as
held, with one review item carrying the rules that fired and a preview, and goes out once approved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.channels.outbox import address_for
from hyperjourney.policy.models import ProposedAction
from hyperjourney.review.held import HeldAction
from hyperjourney.review.queue import hold_action

if TYPE_CHECKING:
    from datetime import datetime

    from hyperjourney.nba.rank import RankedAction

_LABELS = {
    "nudge:cart_reminder": "Your cart is waiting for you",
    "content:fit_guide": "Our two-minute fit guide",
    "nudge:automation_template": "Try an automation template",
    "offer:business_trial": "Try the Business plan free",
    "content:case_study": "How a team like yours did it",
    "human:account_exec": "Account executive follow-up",
    "human:retention_call": "Retention call",
}


def _label(conn: psycopg.Connection[Any], chosen: RankedAction) -> str:
    if chosen.action_id in _LABELS:
        return _LABELS[chosen.action_id]
    rows = conn.execute("SELECT name FROM products WHERE product_id = ANY(%s)", (chosen.product_ids,)).fetchall()
    names = ", ".join(str(r[0]) for r in rows) or ", ".join(chosen.product_ids)
    return f"10% off {names}" if chosen.kind == "offer" else f"Picked for you: {names}"


def hold_choice(
    conn: psycopg.Connection[Any], customer_id: str, chosen: RankedAction, decision_id: int, at: datetime
) -> HeldAction:
    """Hold the chosen action in the caller's transaction (the one that logged the decision)."""
    assert chosen.channel is not None
    conn.execute("SET LOCAL synchronous_commit TO on")  # the decision log may be lossy; a held action is not
    label = _label(conn, chosen)
    internal = chosen.kind == "human"  # a task for a colleague (CRM webhook): the reasons are the brief
    proposed = ProposedAction(
        customer_id=customer_id, channel=chosen.channel, purpose="marketing", product_ids=chosen.product_ids,
        cost=chosen.components.cost, send_at=at, personalized=chosen.kind == "recommendation",
        upsell=chosen.kind == "offer",
    )  # fmt: skip
    outbound = OutboundAction(
        idempotency_key=f"nba:{decision_id}:{chosen.action_id}",
        customer_id=customer_id,
        channel=proposed.channel,
        message=Message(
            to=address_for(conn, customer_id, chosen.channel),
            subject=label,
            body="; ".join(chosen.reasons) if internal else f"{label}.",
            why="" if internal else "picked for you from your recent activity",
            data={"nba_action": chosen.action_id, "decision_id": decision_id, "product_ids": chosen.product_ids},
        ),
        rationale={
            "source": "nba",
            "decision_id": decision_id,
            "action": chosen.action_id,
            "reasons": chosen.reasons,
            "policy_version": chosen.policy.policy_version,
            "scheduled_at": at.isoformat(),
        },
        send_at=at,
    )
    return hold_action(
        conn, outbound, proposed, chosen.policy, submitted_by="nba", title=f"NBA {chosen.action_id} for {customer_id}"
    )
