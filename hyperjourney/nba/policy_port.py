"""The policy engine (hyperjourney.policy) applied to many candidate actions for one customer: the context is
built once per decision and the tenant's active policy is cached briefly, so each candidate costs no I/O."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import psycopg

from hyperjourney.db.database import Database
from hyperjourney.policy.context import context_from
from hyperjourney.policy.engine import check_action, check_purchase
from hyperjourney.policy.models import CustomerPolicyContext, PolicyDecision, ProposedAction, RuleHit
from hyperjourney.policy.schema import Policy
from hyperjourney.policy.store import active_policy

__all__ = ["CustomerPolicy", "PolicyDecision", "PolicyPort", "ProposedAction", "RuleHit"]


class PolicyPort:
    def __init__(self, db: Database, tenant: str, *, ttl_s: float = 30.0) -> None:
        self.db, self.tenant, self.ttl_s = db, tenant, ttl_s
        self._policy: Policy | None = None
        self._loaded_at = 0.0

    def policy(self, conn: psycopg.Connection[Any]) -> Policy:
        if self._policy is None or time.monotonic() - self._loaded_at > self.ttl_s:
            self._policy, self._loaded_at = active_policy(conn), time.monotonic()
        return self._policy

    def for_customer(
        self, conn: psycopg.Connection[Any], customer_id: str, now: datetime, *, product_ids: list[str] | None = None
    ) -> CustomerPolicy:
        """``product_ids`` limits the product facts read to the candidates' products (None reads none)."""
        ctx = context_from(conn, customer_id, now=now, product_ids=product_ids or [])
        return CustomerPolicy(ctx, self.policy(conn))


class CustomerPolicy:
    def __init__(self, ctx: CustomerPolicyContext, policy: Policy) -> None:
        self.ctx, self.policy = ctx, policy

    def check(self, action: ProposedAction, now: datetime) -> PolicyDecision:
        return check_action(self.ctx, action, self.policy, now=now)

    def purchase(self, product_ids: list[str]) -> PolicyDecision:
        """The customer's own purchase of ``product_ids`` (age-gated, minors, inventory)."""
        return check_purchase(self.ctx, product_ids, self.policy)

    def nothing(self) -> PolicyDecision:
        """Doing nothing is always allowed."""
        return PolicyDecision(allowed=True, rules_fired=[], policy_version=self.policy.version, needs_review=False)

    def granted(self, channel: str) -> bool:
        state = self.ctx.consent(channel, "marketing")
        return state is not None and state.status == "granted"
