"""Policy for candidate actions. Uses the policy engine (``hyperjourney.policy``) when that part is installed;
without it an honest default checks current consent and a weekly frequency cap from the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import psycopg
from pydantic import BaseModel, Field

from hyperjourney.channels.consent import CONSENT_CHANNEL, OPT_IN_CHANNELS
from hyperjourney.db.database import Database

DEFAULT_POLICY_VERSION = "default-consent-caps/1"
WEEKLY_CAP = 4
CONSENTS_SQL = "SELECT channel, purpose, status FROM current_consents WHERE customer_id = %s"


class RuleHit(BaseModel):
    rule: str
    outcome: Literal["allow", "deny", "review"]
    reason: str


class PolicyDecision(BaseModel):
    allowed: bool
    rules_fired: list[RuleHit] = Field(default_factory=list)
    policy_version: str = DEFAULT_POLICY_VERSION
    needs_review: bool = False


class ProposedAction(BaseModel):
    customer_id: str
    channel: Literal["email", "sms", "push", "in_app", "webhook"]
    purpose: Literal["marketing", "transactional", "support"] = "marketing"
    campaign_id: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    cost: float = 0.0
    send_at: datetime
    cohort_size: int = 1
    regulated_claim: bool = False


class PolicyPort:
    """Checks many candidates for one customer with one round of reads."""

    def __init__(self, db: Database, tenant: str) -> None:
        self.db, self.tenant = db, tenant
        self._engine: Any = None
        try:
            from hyperjourney.policy import engine, store
        except ImportError:
            return
        self._engine = engine
        self._policy = store.load_policy(db, tenant)

    def for_customer(
        self,
        conn: psycopg.Connection[Any],
        customer_id: str,
        sends_7d: int,
        now: datetime,
        *,
        consents: dict[tuple[str, str], str] | None = None,
    ) -> CustomerPolicy:
        """The checker for one customer; ``consents`` (from CONSENTS_SQL) saves a query when already read."""
        if self._engine is not None:
            from hyperjourney.policy.context import customer_context

            ctx = customer_context(self.db, self.tenant, customer_id, now=now)
            return CustomerPolicy(customer_id, consents or {}, sends_7d, engine=(self._engine, self._policy, ctx))
        if consents is None:
            rows = conn.execute(CONSENTS_SQL, (customer_id,)).fetchall()
            consents = {(ch, purpose): status for ch, purpose, status in rows}
        return CustomerPolicy(customer_id, consents, sends_7d)


class CustomerPolicy:
    def __init__(
        self, customer_id: str, consents: dict[tuple[str, str], str], sends_7d: int, engine: Any = None
    ) -> None:
        self.customer_id, self.consents, self.sends_7d, self.engine = customer_id, consents, sends_7d, engine

    def check(self, action: ProposedAction, now: datetime) -> PolicyDecision:
        if self.engine is not None:
            engine, policy, ctx = self.engine
            real = engine.check_action(ctx, engine_action(action), policy, now=now)
            return PolicyDecision.model_validate(real, from_attributes=True)
        return self._default(action)

    def _default(self, action: ProposedAction) -> PolicyDecision:
        hits: list[RuleHit] = []
        ledger = CONSENT_CHANNEL[action.channel]
        purpose = "profiling" if action.channel == "webhook" else "marketing"
        status = self.consents.get((ledger, purpose))
        if action.purpose == "marketing":
            if status == "withdrawn" or (action.channel in OPT_IN_CHANNELS and status != "granted"):
                hits.append(RuleHit(rule="consent", outcome="deny", reason=f"no {purpose} consent on {ledger}"))
            else:
                hits.append(
                    RuleHit(rule="consent", outcome="allow", reason=f"{purpose} on {ledger}: {status or 'n/a'}")
                )
            if self.sends_7d >= WEEKLY_CAP:
                hits.append(
                    RuleHit(
                        rule="frequency_cap",
                        outcome="deny",
                        reason=f"{self.sends_7d} messages in 7 days (cap {WEEKLY_CAP})",
                    )
                )
        if action.regulated_claim:
            hits.append(RuleHit(rule="regulated_claim", outcome="review", reason="regulated claim needs review"))
        allowed = not any(h.outcome == "deny" for h in hits)
        return PolicyDecision(
            allowed=allowed, rules_fired=hits, needs_review=allowed and any(h.outcome == "review" for h in hits)
        )


def engine_action(action: ProposedAction) -> Any:
    """The policy part's own ProposedAction built from ours (same contract fields)."""
    from hyperjourney.policy.engine import ProposedAction as EngineAction

    return EngineAction(**action.model_dump())
