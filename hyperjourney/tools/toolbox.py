"""The typed tools agents call: pydantic in, pydantic out, bound to one tenant.

This is the only way an agent touches data: each tool wraps one port (knowledge, scoring,
guardrails, policy) or one read-only lookup, so every agent's data access is visible here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.agents.ports import (
    ActionProposal,
    AssetDraft,
    CustomerInsight,
    Evidence,
    GuardrailsPort,
    InboundCheck,
    KnowledgePort,
    NbaPort,
    PolicyPort,
    PolicyVerdict,
    RankedCandidate,
    ScoringPort,
    SegmentInfo,
    TicketSignal,
)
from hyperjourney.data.brand import Brand, load_brand
from hyperjourney.db.database import Database
from hyperjourney.guardrails.tone_policy import TonePolicy
from hyperjourney.guardrails.tone_store import active_tone_policy
from hyperjourney.monitoring import store as eval_store
from hyperjourney.monitoring.drift import DriftReading
from hyperjourney.tools import customers
from hyperjourney.tools.customers import CustomerProfile, Ticket


class SearchInput(BaseModel):
    query: str = Field(min_length=1)
    doc_types: list[str] | None = None
    k: int = Field(6, ge=1, le=20)


class SearchOutput(BaseModel):
    hits: list[Evidence]


class SegmentInput(BaseModel):
    description: str = Field(min_length=1)


class CustomerInput(BaseModel):
    customer_id: str = Field(min_length=1)


class TicketInput(BaseModel):
    ticket_id: str = Field(min_length=1)


class ClassifyInput(BaseModel):
    text: str


class ValidateInput(BaseModel):
    asset: AssetDraft
    evidence: list[Evidence]


class ValidateOutput(BaseModel):
    passed: bool
    failures: list[str]


class TextInput(BaseModel):
    text: str


class RankInput(BaseModel):
    customer_id: str = Field(min_length=1)
    event: dict[str, Any] | None = None
    now: datetime


class RankOutput(BaseModel):
    ranked: list[RankedCandidate]


class DriftInput(BaseModel):
    max_warnings: int = Field(6, ge=1, le=20)


class DriftOutput(BaseModel):
    """The tenant's newest drift report (stored by `eval run` / `eval drift`), reduced to what an agent acts on."""

    available: bool
    report_id: str | None = None
    computed_at: datetime | None = None
    reference: str = ""
    max_psi: float | None = None
    alerts: list[DriftReading] = Field(default_factory=list, description="Drifted base rates, significant features")
    warnings: list[str] = Field(default_factory=list, description="One line per alert, worst first")
    note: str = ""


@dataclass(frozen=True)
class Ports:
    knowledge: KnowledgePort
    scoring: ScoringPort
    guardrails: GuardrailsPort
    policy: PolicyPort
    nba: NbaPort


@dataclass(frozen=True)
class Toolbox:
    db: Database
    tenant: str
    ports: Ports

    def search_knowledge(self, inp: SearchInput) -> SearchOutput:
        return SearchOutput(hits=self.ports.knowledge.search(self.tenant, inp.query, doc_types=inp.doc_types, k=inp.k))

    def find_segment(self, inp: SegmentInput) -> SegmentInfo:
        return self.ports.scoring.find_segment(self.tenant, inp.description)

    def customer_scores(self, inp: CustomerInput) -> CustomerInsight:
        return self.ports.scoring.score_customer(self.tenant, inp.customer_id)

    def customer_profile(self, inp: CustomerInput) -> CustomerProfile:
        return customers.customer_profile(self.db, self.tenant, inp.customer_id)

    def ticket(self, inp: TicketInput) -> Ticket:
        return customers.ticket(self.db, self.tenant, inp.ticket_id)

    def brand(self) -> Brand:
        """The tenant's brand: the name, signature and footer its replies carry."""
        with self.db.tenant(self.tenant) as conn:
            return load_brand(conn)

    def tone_policy(self) -> TonePolicy:
        """The tenant's active tone policy (the packaged default when it stored none)."""
        with self.db.tenant(self.tenant) as conn:
            return active_tone_policy(conn)

    def classify_ticket(self, inp: ClassifyInput) -> TicketSignal:
        return self.ports.scoring.classify_ticket(self.tenant, inp.text)

    def validate_asset(self, inp: ValidateInput) -> ValidateOutput:
        failures = self.ports.guardrails.validate(inp.asset, inp.evidence, self.tenant)
        return ValidateOutput(passed=not failures, failures=failures)

    def check_policy(self, inp: ActionProposal) -> PolicyVerdict:
        return self.ports.policy.check(self.tenant, inp)

    def rank_actions(self, inp: RankInput) -> RankOutput:
        return RankOutput(ranked=self.ports.nba.rank(self.tenant, inp.customer_id, inp.event, inp.now))

    def redact(self, inp: TextInput) -> TextInput:
        return TextInput(text=self.ports.guardrails.redact(inp.text, self.tenant))

    def scan_inbound(self, inp: TextInput) -> InboundCheck:
        return self.ports.guardrails.scan(inp.text)

    def latest_drift(self, inp: DriftInput) -> DriftOutput:
        """Read-only: the newest stored drift report; none yet means no warning, and says how to get one."""
        with self.db.tenant(self.tenant) as conn:
            report = eval_store.latest_drift(conn)
        if report is None:
            return DriftOutput(available=False, note="no drift report yet (`hyperjourney eval run` or `eval drift`)")
        return DriftOutput(
            available=True,
            report_id=report.report_id,
            computed_at=report.computed_at,
            reference=report.reference,
            max_psi=report.max_psi,
            alerts=report.alerts()[: inp.max_warnings],
            warnings=report.warnings(inp.max_warnings),
            note=report.note,
        )
