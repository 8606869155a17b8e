"""The typed tools agents call: pydantic in, the domains' own types out, bound to one tenant.

This is the only way an agent touches data: each tool calls one domain (knowledge search, scoring,
guardrails with the tenant's own content rules, the policy engine, the next-best-action ranker) or one
read-only lookup, so every agent's data access is visible here. No second copy of a domain type, no
string for the caller to re-parse: a tool hands back what the domain returned.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.data.brand import Brand, load_brand
from hyperjourney.db.database import Database
from hyperjourney.experiments.sizing import Outcome, SizingEvidence, size_segment
from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.customer_names import NAMES
from hyperjourney.guardrails.inbound import InboundVerdict, scan
from hyperjourney.guardrails.models import Asset, Evidence, GuardReport
from hyperjourney.guardrails.records import RecordFact, is_record, record_facts, resolve
from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.rules_store import load_content_rules
from hyperjourney.guardrails.tone_policy import TonePolicy
from hyperjourney.guardrails.tone_store import active_tone_policy
from hyperjourney.knowledge.models import Hit, KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import search
from hyperjourney.monitoring import store as eval_store
from hyperjourney.monitoring.drift import DriftReading
from hyperjourney.nba.policy_port import PolicyPort
from hyperjourney.nba.rank import RankedAction, next_best_action
from hyperjourney.policy.goal_requests import Refusal, refusals
from hyperjourney.policy.models import PolicyDecision, ProposedAction
from hyperjourney.scoring.schema import CustomerScores, Reason, Segment, SegmentQuery, TicketClassification
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.segments import find_segment
from hyperjourney.scoring.service import score_customer
from hyperjourney.scoring.text import classify_ticket
from hyperjourney.telemetry import tracing
from hyperjourney.tools import customers
from hyperjourney.tools.customers import CustomerProfile, Ticket
from hyperjourney.tools.metrics import MetricRequest, MetricTable, run_metric


class SearchInput(BaseModel):
    query: str = Field(min_length=1)
    doc_types: list[str] | None = None
    k: int = Field(6, ge=1, le=20)


class SearchOutput(BaseModel):
    hits: list[Hit]


class SegmentInput(BaseModel):
    description: str = Field(min_length=1)


class CustomerInput(BaseModel):
    customer_id: str = Field(min_length=1)


class ScoresOutput(BaseModel):
    """A customer's scores, or (a tenant without trained models) none and the reason."""

    scores: CustomerScores | None = None
    note: str = ""


class TicketInput(BaseModel):
    ticket_id: str = Field(min_length=1)


class ClassifyInput(BaseModel):
    text: str


class RecordInput(BaseModel):
    customer_id: str = Field(min_length=1)
    intent: str = Field(min_length=1, description="the ticket's intent: which record fields it needs")


class ValidateInput(BaseModel):
    asset: Asset
    evidence: list[Hit]


class TextInput(BaseModel):
    text: str


class RankInput(BaseModel):
    customer_id: str = Field(min_length=1)
    event: dict[str, Any] | None = None
    now: datetime


class RankOutput(BaseModel):
    ranked: list[RankedAction]


class DriftInput(BaseModel):
    max_warnings: int = Field(6, ge=1, le=20)


class SizingInput(BaseModel):
    segment: SegmentQuery
    outcome: Outcome
    horizon_days: int = Field(90, ge=7, le=730)


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


_SIZE_WORDS = {"smb": "SMBs", "mid_market": "mid-market companies", "enterprise": "enterprises"}


def segment_label(definition: SegmentQuery) -> str:
    """A short name from the filters ("fintech SMBs", "dtc customers: ordered before, but not in the last 90
    days"), not the marketer's whole sentence and not a bare label that hides the goal's conditions."""
    industries = " & ".join(definition.industry or [])
    sizes = " & ".join(_SIZE_WORDS.get(s, s) for s in definition.company_size or [])
    rest = [
        str(v[0])
        for k, v in definition.model_dump(exclude_defaults=True).items()
        if k not in ("industry", "company_size", "conditions") and isinstance(v, list) and v
    ]
    base = " ".join(x for x in (industries, sizes or ("customers" if industries else ""), *rest) if x)
    conditions = "; ".join(c.words() for c in definition.conditions)
    if not conditions:
        return base
    return f"{base or 'customers'}: {conditions}"


def _traced(cls: type) -> None:
    """Each public method of ``cls`` becomes one ``execute_tool <name>`` span (subclasses' overrides too)."""
    for name, method in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(method):
            setattr(cls, name, _tool_span(name, method))


def _tool_span(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def call(self: Toolbox, *args: Any, **kwargs: Any) -> Any:
        with tracing.tool_span(name):
            return method(self, *args, **kwargs)

    return call


@dataclass(frozen=True)
class Toolbox:
    db: Database
    tenant: str
    policy: PolicyPort = field(init=False, repr=False)  # one cached policy for every check this toolbox makes

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _traced(cls)

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy", PolicyPort(self.db, self.tenant))

    def search_knowledge(self, inp: SearchInput) -> SearchOutput:
        """Hybrid search; a type this tenant's KB lacks widens to every type, an empty KB is no evidence."""
        filters = SearchFilters(doc_type=inp.doc_types) if inp.doc_types else None
        try:
            hits = search(self.db, self.tenant, inp.query, filters=filters, k=inp.k)
        except KnowledgeError:
            try:
                hits = search(self.db, self.tenant, inp.query, k=inp.k) if filters else []
            except KnowledgeError:
                hits = []
        return SearchOutput(hits=hits)

    def find_segment(self, inp: SegmentInput) -> Segment:
        """The segment the words describe, named by its filters; words that name no filter give the whole
        tenant, and say why."""
        try:
            seg = find_segment(self.db, self.tenant, inp.description)
        except ValueError as exc:
            seg = find_segment(self.db, self.tenant, SegmentQuery())
            why = Reason(feature="description", text=str(exc), direction="-", size=0)
            return seg.model_copy(update={"name": "all customers", "why": [why]})
        return seg.model_copy(update={"name": segment_label(seg.definition) or seg.name})

    def segment_of(self, query: SegmentQuery) -> Segment:
        """The segment a structured query (typed filters) selects, sized in SQL and named by its filters."""
        seg = find_segment(self.db, self.tenant, query)
        return seg.model_copy(update={"name": segment_label(seg.definition) or "all customers"})

    def goal_refusals(self, inp: TextInput) -> list[Refusal]:
        """What the goal asks that the tenant's contact policy forbids (a discount above its limit, no caps)."""
        with self.db.tenant(self.tenant) as conn:
            return refusals(inp.text, self.policy.policy(conn))

    def customer_scores(self, inp: CustomerInput) -> ScoresOutput:
        try:
            return ScoresOutput(scores=score_customer(self.db, self.tenant, inp.customer_id))
        except ModelsNotTrainedError as exc:  # a tenant without trained models still gets context, not scores
            return ScoresOutput(note=str(exc))

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

    def content_rules(self) -> ContentRules:
        """The tenant's content rules (banned claims, required footers and disclaimers) as the guard reads them."""
        return load_content_rules(self.db, self.tenant)

    def classify_ticket(self, inp: ClassifyInput) -> TicketClassification:
        return classify_ticket(inp.text, db=self.db, tenant=self.tenant)

    def record_facts(self, inp: RecordInput) -> list[RecordFact]:
        """The customer's record fields a ticket of the intent needs (latest order, plan), as citable evidence."""
        with self.db.tenant(self.tenant) as conn:
            return record_facts(conn, inp.customer_id, inp.intent)

    def validate_asset(self, inp: ValidateInput) -> GuardReport:
        """The content guard under the tenant's own rules (as `guard rules set` stored them); other customers'
        full names in the copy fail it too. Record citations are checked against the recipient's rows, read
        here: evidence the caller passes for a ``record:`` id is ignored."""
        evidence = [Evidence.from_hit(h) for h in inp.evidence if not is_record(h.citation_id)]
        if records := [c for c in inp.asset.citations if is_record(c)]:
            with self.db.tenant(self.tenant) as conn:
                evidence += resolve(conn, records, inp.asset.recipient_id)
        return validate_asset(
            inp.asset,
            evidence,
            load_content_rules(self.db, self.tenant),
            names=NAMES.get(self.db, self.tenant),
        )

    def check_policy(self, inp: ProposedAction) -> PolicyDecision:
        with self.db.tenant(self.tenant) as conn:
            customer = self.policy.for_customer(conn, inp.customer_id, inp.send_at, product_ids=inp.product_ids)
            return customer.check(inp, inp.send_at)

    def rank_actions(self, inp: RankInput) -> RankOutput:
        """Every candidate action for the customer, each with its policy decision; without trained models the
        ranker's rule-based signals."""
        try:
            decision = next_best_action(self.db, self.tenant, inp.customer_id, inp.event, now=inp.now)
        except ModelsNotTrainedError:
            decision = next_best_action(self.db, self.tenant, inp.customer_id, inp.event, now=inp.now, use_models=False)
        return RankOutput(ranked=decision.ranked)

    def scan_inbound(self, inp: TextInput) -> InboundVerdict:
        return scan(inp.text)

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

    def sizing_evidence(self, inp: SizingInput) -> SizingEvidence:
        """Read-only: the segment's baseline, value, lift prior and holdout plan from the tenant's own tables."""
        return size_segment(self.db, self.tenant, inp.segment, inp.outcome, inp.horizon_days)

    def query_metric(self, inp: MetricRequest) -> MetricTable:
        """Read-only: one catalogue query (never SQL from a caller), as a table, a chart and the query it ran."""
        return run_metric(self.db, self.tenant, inp)


_traced(Toolbox)
