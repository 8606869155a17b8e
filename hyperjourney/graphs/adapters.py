"""Adapters from the other parts' facades (the cross-part contracts) to the agents' ports.

Imports are inside the methods: wiring only builds an adapter once its part is installed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hyperjourney.agents.ports import (
    ActionProposal,
    AssetDraft,
    CustomerInsight,
    Evidence,
    InboundCheck,
    LaunchResult,
    PolicyVerdict,
    RankedCandidate,
    SegmentInfo,
    TicketSignal,
)
from hyperjourney.db.database import Database
from hyperjourney.graphs.fallbacks import AuditedReviewRequests


def _reason_text(reason: Any) -> str:
    return str(getattr(reason, "text", reason))


class KnowledgeFacade:
    name = "hyperjourney.knowledge.search (hybrid)"

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, tenant: str, query: str, *, doc_types: list[str] | None = None, k: int = 6) -> list[Evidence]:
        from hyperjourney.knowledge.search import KnowledgeError, SearchFilters, search

        filters = SearchFilters(doc_type=doc_types) if doc_types else None
        try:
            hits = search(self.db, tenant, query, filters=filters, k=k)
        except KnowledgeError:  # a type this tenant's KB lacks, or an empty KB: no evidence, not a failed run
            try:
                hits = search(self.db, tenant, query, k=k) if filters else []
            except KnowledgeError:
                hits = []
        return [
            Evidence(
                citation_id=h.citation_id,
                title=h.title,
                doc_type=h.doc_type,
                snippet=h.snippet,
                text=h.text,
                score=float(h.score),
            )
            for h in hits
        ]


_SIZE_WORDS = {"smb": "SMBs", "mid_market": "mid-market companies", "enterprise": "enterprises"}


def segment_label(definition: dict[str, Any]) -> str:
    """A short name from the filters ("fintech SMBs"), not the marketer's whole sentence."""
    industries = " & ".join(definition.get("industry") or [])
    sizes = " & ".join(_SIZE_WORDS.get(s, s) for s in definition.get("company_size") or [])
    rest = [
        str(v[0]) for k, v in definition.items() if k not in ("industry", "company_size") and isinstance(v, list) and v
    ]
    return " ".join(x for x in (industries, sizes or ("customers" if industries else ""), *rest) if x)


class ScoringFacade:
    name = "hyperjourney.scoring (service, segments, text)"

    def __init__(self, db: Database) -> None:
        self.db = db

    def score_customer(self, tenant: str, customer_id: str) -> CustomerInsight:
        from hyperjourney.scoring.scorer import ModelsNotTrainedError
        from hyperjourney.scoring.service import score_customer

        try:
            s = score_customer(self.db, tenant, customer_id)
        except ModelsNotTrainedError as exc:  # a tenant without trained models still gets context, not scores
            return CustomerInsight(customer_id=customer_id, reasons=[str(exc)])
        return CustomerInsight(
            customer_id=customer_id,
            scores={name: float(score.value) for name, score in s.scores.items()},
            confidence={name: float(score.confidence) for name, score in s.scores.items()},
            segment=s.segment,
            reasons=[_reason_text(r) for r in s.why_in_segment]
            + [_reason_text(r) for score in s.scores.values() for r in score.reasons][:6],
        )

    def find_segment(self, tenant: str, description: str) -> SegmentInfo:
        from hyperjourney.scoring.schema import SegmentQuery
        from hyperjourney.scoring.segments import find_segment

        try:
            seg = find_segment(self.db, tenant, description)
        except ValueError as exc:  # the words name no filter: the whole tenant, and say why
            seg = find_segment(self.db, tenant, SegmentQuery())
            seg.name, seg.why = "all customers", [str(exc)]  # type: ignore[list-item]
        definition = seg.definition.model_dump(mode="json", exclude_defaults=True)
        return SegmentInfo(
            name=segment_label(definition) or seg.name,
            definition=definition,
            size=int(seg.size),
            customer_ids=list(seg.customer_ids),
            why=[_reason_text(r) for r in seg.why],
            baseline={k: float(v) for k, v in seg.baseline.items()},
        )

    def classify_ticket(self, tenant: str, text: str) -> TicketSignal:
        from hyperjourney.scoring.text import classify_ticket

        c = classify_ticket(text, db=self.db, tenant=tenant)
        return TicketSignal(
            intent=c.intent,
            intent_confidence=float(c.intent_confidence),
            sentiment=c.sentiment,
            sentiment_score=float(c.sentiment_score),
            reasons=[_reason_text(r) for r in c.reasons],
            model_version=c.model_version,
            source=c.source,
            intents=list(c.intents),
            intent_descriptions=dict(c.intent_descriptions),
            route=c.route,
        )


class GuardrailsFacade:
    name = "hyperjourney.guardrails (assets, inbound, redaction)"

    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    def validate(self, asset: AssetDraft, evidence: list[Evidence], tenant: str | None = None) -> list[str]:
        """With a tenant (and a database), other customers' full names in the copy fail it too."""
        from hyperjourney.guardrails.assets import Asset, validate_asset
        from hyperjourney.guardrails.assets import Evidence as GuardEvidence
        from hyperjourney.guardrails.customer_names import NAMES
        from hyperjourney.guardrails.rules_store import load_content_rules
        from hyperjourney.guardrails.tone import ToneAttributes

        tone = ToneAttributes(**asset.tone.model_dump()) if asset.tone else None
        names = NAMES.get(self.db, tenant) if tenant and self.db is not None else None
        rules = load_content_rules(self.db, tenant) if tenant and self.db is not None else None  # the tenant's own
        report = validate_asset(
            Asset(kind=asset.kind, subject=asset.subject, body=asset.body, tone=tone, citations=asset.citations,
                  recipient_id=asset.recipient_id),
            [GuardEvidence(citation_id=e.citation_id, text=e.text or e.snippet, title=e.title) for e in evidence],
            rules,
            names=names,
        )  # fmt: skip
        return [] if report.passed else [f"{f.code}: {f.message}" for f in report.failures]

    def redact(self, text: str, tenant: str | None = None) -> str:
        """Tokens under the tenant's key when a tenant is named (and a database is wired), else the install's."""
        from hyperjourney.guardrails.redaction import redact
        from hyperjourney.guardrails.redaction_keys import tenant_key

        key = tenant_key(self.db, tenant) if tenant and self.db is not None else None
        return str(redact(text, key).text)

    def scan(self, text: str) -> InboundCheck:
        from hyperjourney.guardrails.inbound import scan

        v = scan(text)
        return InboundCheck(attack=bool(v.attack), reasons=list(v.reasons), neutralized=v.neutralized)


class PolicyFacade:
    name = "hyperjourney.policy.engine"

    def __init__(self, db: Database) -> None:
        self.db = db

    def check(self, tenant: str, action: ActionProposal) -> PolicyVerdict:
        from hyperjourney.policy.context import customer_context
        from hyperjourney.policy.engine import ProposedAction, check_action
        from hyperjourney.policy.store import load_policy

        ctx = customer_context(self.db, tenant, action.customer_id, now=action.send_at)
        decision = check_action(
            ctx, ProposedAction(**action.model_dump()), load_policy(self.db, tenant), now=action.send_at
        )
        return PolicyVerdict(
            allowed=decision.allowed,
            needs_review=decision.needs_review,
            policy_version=decision.policy_version,
            rules=[f"{h.outcome}: {h.rule} — {h.reason}" for h in decision.rules_fired],
        )


class NbaFacade:
    name = "hyperjourney.nba.rank"

    def __init__(self, db: Database) -> None:
        self.db = db

    def rank(self, tenant: str, customer_id: str, event: dict[str, Any] | None, now: datetime) -> list[RankedCandidate]:
        from hyperjourney.nba.rank import next_best_action
        from hyperjourney.scoring.scorer import ModelsNotTrainedError

        try:
            decision = next_best_action(self.db, tenant, customer_id, event, now=now)
        except ModelsNotTrainedError:  # no trained models yet: the ranker's rule-based signals
            decision = next_best_action(self.db, tenant, customer_id, event, now=now, use_models=False)
        return [
            RankedCandidate(
                action_id=a.action_id, kind=str(a.kind), channel=a.channel, score=float(a.score),
                expected_value=float(a.expected_value), reasons=list(a.reasons),
                policy=PolicyVerdict(
                    allowed=a.policy.allowed, needs_review=a.policy.needs_review,
                    policy_version=a.policy.policy_version,
                    rules=[f"{h.outcome}: {h.rule} — {h.reason}" for h in a.policy.rules_fired],
                ),
            )
            for a in decision.ranked
        ]  # fmt: skip


class ReviewQueueFacade:
    """Drafts (assets) go to the review queue; a decision with no asset (a route) is recorded in the audit log."""

    name = "hyperjourney.review.queue (assets) + audit log (other decisions)"

    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(
        self, tenant: str, *, run_id: str, kind: str, reason: str, payload: dict[str, Any],
        asset: AssetDraft | None = None, evidence: list[Evidence] | None = None,
    ) -> str:  # fmt: skip
        from hyperjourney.guardrails.models import Evidence as GuardEvidence
        from hyperjourney.review.queue import ReviewItem, submit

        if asset is None:
            return AuditedReviewRequests(self.db).submit(
                tenant, run_id=run_id, kind=kind, reason=reason, payload=payload
            )
        item = ReviewItem(
            kind="asset",
            title=f"{kind} for run {run_id}",
            payload=asset.model_dump(mode="json"),
            evidence=[GuardEvidence(citation_id=e.citation_id, text=e.text or e.snippet, title=e.title)
                      for e in evidence or []],
            reasons=reason.split("; "),
            risk=["low_confidence"],
            submitted_by="agents",
            run_id=run_id,
        )  # fmt: skip
        return str(submit(self.db, tenant, item))


_GOAL_EVENT = {"ltv": "upgrade", "conversion": "contract_signed", "retention": "login", "engagement": "login"}


def step_message(variant: dict[str, Any]) -> dict[str, Any]:
    """The one place approved copy becomes what a journey step sends (name, subject, body): a renderer of
    structured copy plugs in here. Empty copy is refused, never launched."""
    body = str(variant.get("body") or "")
    if not body.strip():
        raise ValueError(f"{variant.get('channel')} variant: the approved body is empty")
    return {"name": f"{variant['channel']}_1", "subject": variant.get("subject"), "body": body}


def journey_definition(run_id: str, approved: dict[str, Any]) -> dict[str, Any]:
    """The canvas plan as a journey definition: one action step per channel, waits between, then exit."""
    plan, segment = approved["plan"], approved["segment"]
    by_channel = {v["channel"]: v for v in approved["variants"]}
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(plan["steps"]):
        if i and step["delay_days"] > 0:
            steps.append({"type": "wait", "id": f"wait_{i}", "hours": step["delay_days"] * 24, "next": f"send_{i}"})
        variant = by_channel.get(step["channel"])
        if variant is None:
            raise ValueError(f"plan step {i} ({step['channel']}): no approved copy for this channel")
        steps.append(
            {
                "type": "action",
                "id": f"send_{i}",
                "channel": step["channel"],
                "purpose": "marketing",
                "why": f"you are in our {approved.get('segment_name') or 'selected'} audience",
                "variants": [step_message(variant)],
                "next": "",
            }
        )
    for k, s in enumerate(steps):
        if s["type"] == "action":
            s["next"] = steps[k + 1]["id"] if k + 1 < len(steps) else "done"
    where = [
        {"field": f"customer.{field}", "op": "in", "value": value}
        for field, value in segment.items()
        if field in ("industry", "company_size", "region", "lifecycle_stage") and value
    ]
    actions = sum(1 for s in steps if s["type"] == "action")
    return {
        "id": f"canvas-{run_id.removeprefix('run-')[:16]}",
        "name": plan.get("name") or f"canvas {run_id}",
        "description": approved.get("goal", ""),
        "trigger": {"event": "login", "where": where},
        "start": steps[0]["id"] if steps else "done",
        "steps": [*steps, {"type": "exit", "id": "done", "reason": "journey complete"}],
        "goal": {"event": _GOAL_EVENT.get(approved.get("metric", "ltv"), "upgrade"), "within_hours": 24 * 28},
        "caps": {"max_actions": max(actions, plan.get("frequency_cap_per_week", 2)), "window_days": 7},
        "holdout_share": plan.get("holdout_share", 0.1),
    }


class JourneyLauncher:
    name = "hyperjourney.journeys.launch"

    def __init__(self, db: Database) -> None:
        self.db = db

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        from hyperjourney.journeys.launch import JourneyPlan, launch_plan
        from hyperjourney.scoring.schema import SegmentQuery
        from hyperjourney.scoring.segments import find_segment

        try:  # the whole segment, not the sample the Researcher saw
            query = SegmentQuery.model_validate(plan["segment"])
            audience = find_segment(self.db, tenant, query, limit=max(int(plan["cohort_size"]), 1)).customer_ids
        except ValueError:
            audience = list(plan.get("audience", []))
        approved = JourneyPlan(
            plan_id=run_id,
            goal=plan.get("goal", ""),
            journey=journey_definition(run_id, plan),
            audience=audience,
            holdout_share=plan["plan"].get("holdout_share"),
            approved_by=plan.get("approved_by") or "canvas",
            evidence=plan.get("evidence", []),
        )
        result = launch_plan(self.db, tenant, approved)
        return LaunchResult(
            launched=result.status == "launched",
            journey_id=result.journey_id,
            detail=result.detail,
            launcher=self.name,
        )
