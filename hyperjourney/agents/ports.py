"""What the agents need from the other parts, as ports whose shapes mirror the cross-part contracts.

Agents and tools depend only on these; hyperjourney.graphs.wiring binds each port to the real facade
(knowledge search, scoring, guardrails, policy, review queue, journey launch) or, where a part has not
landed yet, to a clearly named fallback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

Sentiment = Literal["very_negative", "negative", "neutral", "positive"]
Channel = Literal["email", "sms", "push", "in_app", "webhook"]


class Evidence(BaseModel):
    """A retrievable fact with the id every claim built on it must cite ("<document_id>#<chunk>")."""

    citation_id: str
    title: str = ""
    doc_type: str = ""
    snippet: str = ""
    text: str = ""
    score: float = 0.0


class Tone(BaseModel):
    """Formality, warmth and brevity, each 0..1 (mirrors guardrails.tone.ToneAttributes)."""

    formality: float = Field(0.5, ge=0, le=1)
    warmth: float = Field(0.5, ge=0, le=1)
    brevity: float = Field(0.5, ge=0, le=1)


class SegmentInfo(BaseModel):
    name: str
    definition: dict[str, Any]
    size: int
    customer_ids: list[str] = Field(default_factory=list)
    why: list[str] = Field(default_factory=list)
    baseline: dict[str, float] = Field(default_factory=dict)


class CustomerInsight(BaseModel):
    customer_id: str
    scores: dict[str, float] = Field(default_factory=dict)
    confidence: dict[str, float] = Field(default_factory=dict)
    segment: str = ""
    reasons: list[str] = Field(default_factory=list)


class TicketSignal(BaseModel):
    intent: str
    intent_confidence: float
    sentiment: Sentiment
    sentiment_score: float = 0.0
    reasons: list[str] = Field(default_factory=list)
    model_version: str = ""
    source: Literal["tenant", "packaged"] = "packaged"  # whose classifier answered
    intents: list[str] = Field(default_factory=list)  # the intents that classifier knows (the tenant's taxonomy)
    intent_descriptions: dict[str, str] = Field(default_factory=dict)
    route: str | None = None  # the team or queue the tenant routes this intent to


class AssetDraft(BaseModel):
    kind: Literal["email", "sms", "in_app", "support_reply", "ad_copy"]
    subject: str | None = None
    body: str
    tone: Tone | None = None
    citations: list[str] = Field(default_factory=list)
    recipient_id: str | None = Field(None, description="the one customer it goes to (None: a cohort)")


class ActionProposal(BaseModel):
    customer_id: str
    channel: Channel
    purpose: Literal["marketing", "transactional", "support"]
    campaign_id: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    cost: float = 0.0
    send_at: datetime
    cohort_size: int = 1
    regulated_claim: bool = False
    confidence: float = Field(1.0, ge=0, le=1, description="how sure the proposer is; low goes to review")


class PolicyVerdict(BaseModel):
    allowed: bool
    needs_review: bool = False
    rules: list[str] = Field(default_factory=list)
    policy_version: str = ""


class InboundCheck(BaseModel):
    attack: bool = False
    reasons: list[str] = Field(default_factory=list)
    neutralized: str = ""


class LaunchResult(BaseModel):
    launched: bool
    journey_id: str | None = None
    detail: str = ""
    launcher: str = ""


class RankedCandidate(BaseModel):
    """One action the ranker considered for a customer, with its policy verdict."""

    action_id: str
    kind: str = ""
    channel: str | None = None
    score: float
    expected_value: float = 0.0
    reasons: list[str] = Field(default_factory=list)
    policy: PolicyVerdict


class KnowledgePort(Protocol):
    def search(self, tenant: str, query: str, *, doc_types: list[str] | None = None, k: int = 6) -> list[Evidence]: ...


class ScoringPort(Protocol):
    def score_customer(self, tenant: str, customer_id: str) -> CustomerInsight: ...

    def find_segment(self, tenant: str, description: str) -> SegmentInfo: ...

    def classify_ticket(self, tenant: str, text: str) -> TicketSignal: ...


class GuardrailsPort(Protocol):
    def validate(self, asset: AssetDraft, evidence: list[Evidence], tenant: str | None = None) -> list[str]: ...

    def redact(self, text: str, tenant: str | None = None) -> str: ...

    def scan(self, text: str) -> InboundCheck: ...


class PolicyPort(Protocol):
    def check(self, tenant: str, action: ActionProposal) -> PolicyVerdict: ...


class NbaPort(Protocol):
    def rank(
        self, tenant: str, customer_id: str, event: dict[str, Any] | None, now: datetime
    ) -> list[RankedCandidate]: ...


class ReviewPort(Protocol):
    def submit(
        self,
        tenant: str,
        *,
        run_id: str,
        kind: str,
        reason: str,
        payload: dict[str, Any],
        asset: AssetDraft | None = None,
        evidence: list[Evidence] | None = None,
    ) -> str: ...


class Launcher(Protocol):
    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult: ...
