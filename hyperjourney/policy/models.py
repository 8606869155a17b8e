"""Typed inputs and outputs of the policy engine: a customer context, a proposed action, a decision.

The context is a snapshot the engine reads and never writes, so a decision is a pure function of
(context, action, policy, now) and can be replayed from the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Channel = Literal["email", "sms", "push", "in_app", "webhook"]
Purpose = Literal["marketing", "transactional", "support"]
Outcome = Literal["allow", "deny", "review"]
CHANNELS: tuple[Channel, ...] = ("email", "sms", "push", "in_app", "webhook")
PURPOSES: tuple[Purpose, ...] = ("marketing", "transactional", "support")


class ConsentState(BaseModel):
    """The latest consent record for one channel and purpose (latest wins)."""

    model_config = ConfigDict(frozen=True)

    channel: str
    purpose: str
    status: Literal["granted", "withdrawn"]
    source: str = ""
    captured_at: datetime


class Contact(BaseModel):
    """A message already sent or scheduled to this customer (from contact_log)."""

    model_config = ConfigDict(frozen=True)

    channel: Channel
    purpose: Purpose
    sent_at: datetime
    campaign_id: str | None = None
    cost: float = 0.0


class OpenTicket(BaseModel):
    model_config = ConfigDict(frozen=True)

    ticket_id: str
    priority: Literal["low", "normal", "high", "urgent"]
    status: Literal["open", "pending", "solved", "closed"]
    updated_at: datetime
    product_ids: list[str] = Field(default_factory=list)


class ProductInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    inventory: int
    age_gated: bool = False


class CustomerPolicyContext(BaseModel):
    """Everything the policy needs to know about one customer at one moment."""

    customer_id: str
    region: str | None = None
    country: str | None = None
    timezone: str | None = "UTC"
    age_band: str | None = None
    consents: dict[tuple[str, str], ConsentState] = Field(default_factory=dict)
    contacts: list[Contact] = Field(default_factory=list)
    tickets: list[OpenTicket] = Field(default_factory=list)
    products: dict[str, ProductInfo] = Field(default_factory=dict)
    unengaged_streak: dict[str, int] = Field(
        default_factory=dict, description="per channel: marketing sends since the last open/click"
    )
    failed_payments_60d: int = 0
    flags: list[str] = Field(default_factory=list, description="do_not_contact, bereavement, legal_hold, ...")
    campaign_spend: dict[str, float] = Field(default_factory=dict, description="spend so far per campaign")
    day_spend: float = Field(0.0, description="tenant-wide spend on the action's day")

    _indexes: dict[Any, Any] = PrivateAttr(default_factory=dict)

    def consent(self, channel: str, purpose: str) -> ConsentState | None:
        return self.consents.get((channel, purpose))

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """Derived data (e.g. contacts indexed by local day) computed once per context, reused per action.

        A context is a snapshot: copy it (model_copy) to change it, which starts with an empty cache.
        """
        key = (key, len(self.contacts))  # an appended contact invalidates
        cache = self.__pydantic_private__["_indexes"]  # type: ignore[index]  # skips pydantic's slow __getattr__
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> CustomerPolicyContext:
        copy = super().model_copy(update=update, deep=deep)
        copy._indexes = {}
        return copy


class ProposedAction(BaseModel):
    customer_id: str
    channel: Channel
    purpose: Purpose
    campaign_id: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    cost: float = Field(0.0, ge=0)
    send_at: datetime
    cohort_size: int = Field(1, ge=1)
    regulated_claim: bool = False
    personalized: bool = Field(False, description="uses behavioural data (needs profiling consent in EU/UK)")
    upsell: bool = Field(False, description="upsell or cross-sell (blocked for payment trouble)")
    confidence: float = Field(1.0, ge=0, le=1, description="how sure the proposer is; low goes to review")


class RuleHit(BaseModel):
    rule: str
    outcome: Outcome
    reason: str

    def line(self) -> str:
        """One line for a person ("deny: consent — no marketing consent on sms")."""
        return f"{self.outcome}: {self.rule} — {self.reason}"


class PolicyDecision(BaseModel):
    allowed: bool
    rules_fired: list[RuleHit]
    policy_version: str
    needs_review: bool

    @property
    def denials(self) -> list[RuleHit]:
        return [h for h in self.rules_fired if h.outcome == "deny"]

    @property
    def flagged(self) -> list[RuleHit]:
        """The rules that denied the action or asked for review (what a person needs to see)."""
        return [h for h in self.rules_fired if h.outcome != "allow"]
