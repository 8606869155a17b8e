"""The contact log: what caps, fatigue and budgets count. Senders record here in the send's transaction."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.policy.models import PolicyDecision, ProposedAction


class NotAllowedError(ValueError):
    """Recording a contact the policy did not allow is refused, never silently written."""


def record_contact(
    conn: psycopg.Connection[Any], action: ProposedAction, decision: PolicyDecision, *, actor: str
) -> int:
    """Append an allowed action to the contact log and audit it with the decision's rules and version."""
    if not decision.allowed:
        reasons = "; ".join(h.reason for h in decision.denials)
        raise NotAllowedError(f"policy {decision.policy_version} denied this action: {reasons}")
    row = conn.execute(
        "INSERT INTO contact_log (customer_id, channel, purpose, campaign_id, product_ids, cost, sent_at, "
        "policy_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING contact_id",
        (
            action.customer_id,
            action.channel,
            action.purpose,
            action.campaign_id,
            Jsonb(action.product_ids),
            action.cost,
            action.send_at,
            decision.policy_version,
        ),
    ).fetchone()
    assert row is not None
    audit.append(
        conn,
        actor=actor,
        action="contact_recorded",
        entity=action.customer_id,
        payload={
            "channel": action.channel,
            "purpose": action.purpose,
            "campaign_id": action.campaign_id,
            "policy_version": decision.policy_version,
            "rules": [h.model_dump() for h in decision.rules_fired],
        },
    )
    return int(row[0])


def campaign_spend(conn: psycopg.Connection[Any]) -> dict[str, float]:
    """Recorded send cost per campaign (a journey's campaign is its id): budgets cap it, dashboards divide by it."""
    return {
        str(camp): float(total)
        for camp, total in conn.execute(
            "SELECT campaign_id, sum(cost) FROM contact_log WHERE campaign_id IS NOT NULL GROUP BY campaign_id"
        )
    }
