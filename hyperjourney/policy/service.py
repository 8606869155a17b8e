"""Decide one action against the database: build the context, load the policy, check, audit the decision."""

from __future__ import annotations

from datetime import datetime

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.policy.context import context_from
from hyperjourney.policy.engine import check_action
from hyperjourney.policy.models import PolicyDecision, ProposedAction
from hyperjourney.policy.store import active_policy


def decide(db: Database, tenant: str, action: ProposedAction, *, now: datetime, actor: str) -> PolicyDecision:
    """One audited decision: the audit entry records the policy version and every rule that fired."""
    with db.tenant(tenant) as conn:
        ctx = context_from(conn, action.customer_id, now=now, product_ids=action.product_ids)
        policy = active_policy(conn)
        decision = check_action(ctx, action, policy, now=now)
        audit.append(
            conn,
            actor=actor,
            action="policy_decision",
            entity=action.customer_id,
            payload={
                "action": action.model_dump(mode="json"),
                "allowed": decision.allowed,
                "needs_review": decision.needs_review,
                "policy_version": decision.policy_version,
                "rules": [h.model_dump() for h in decision.rules_fired],
            },
        )
    return decision
