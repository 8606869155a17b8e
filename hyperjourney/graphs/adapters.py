"""Adapters from the other parts' facades (the cross-part contracts) to the agents' ports.

Imports are inside the methods: wiring only builds an adapter once its part is installed.
"""

from __future__ import annotations

from typing import Any

from hyperjourney.agents.ports import (
    ActionProposal,
    AssetDraft,
    CustomerInsight,
    Evidence,
    InboundCheck,
    LaunchResult,
    PolicyVerdict,
    SegmentInfo,
    TicketSignal,
)
from hyperjourney.db.database import Database


def _reason_text(reason: Any) -> str:
    return str(getattr(reason, "text", reason))


class KnowledgeFacade:
    name = "hyperjourney.knowledge.search (hybrid)"

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, tenant: str, query: str, *, doc_types: list[str] | None = None, k: int = 6) -> list[Evidence]:
        from hyperjourney.knowledge.search import SearchFilters, search

        filters = SearchFilters(doc_type=doc_types) if doc_types else None
        hits = search(self.db, tenant, query, filters=filters, k=k)
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


class ScoringFacade:
    name = "hyperjourney.scoring (service, segments, text)"

    def __init__(self, db: Database) -> None:
        self.db = db

    def score_customer(self, tenant: str, customer_id: str) -> CustomerInsight:
        from hyperjourney.scoring.service import score_customer

        s = score_customer(self.db, tenant, customer_id)
        return CustomerInsight(
            customer_id=customer_id,
            scores={name: float(score.value) for name, score in s.scores.items()},
            confidence={name: float(score.confidence) for name, score in s.scores.items()},
            segment=s.segment,
            reasons=[_reason_text(r) for r in s.why_in_segment]
            + [_reason_text(r) for score in s.scores.values() for r in score.reasons][:6],
        )

    def find_segment(self, tenant: str, description: str) -> SegmentInfo:
        from hyperjourney.scoring.segments import find_segment

        seg = find_segment(self.db, tenant, description)
        definition = seg.definition if isinstance(seg.definition, dict) else {"definition": str(seg.definition)}
        return SegmentInfo(
            name=seg.name,
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
        )


class GuardrailsFacade:
    name = "hyperjourney.guardrails (assets, inbound, redaction)"

    def validate(self, asset: AssetDraft, evidence: list[Evidence]) -> list[str]:
        from hyperjourney.guardrails.assets import Asset, validate_asset
        from hyperjourney.guardrails.assets import Evidence as GuardEvidence
        from hyperjourney.guardrails.tone import ToneAttributes

        tone = ToneAttributes(**asset.tone.model_dump()) if asset.tone else None
        report = validate_asset(
            Asset(kind=asset.kind, subject=asset.subject, body=asset.body, tone=tone, citations=asset.citations),
            [GuardEvidence(citation_id=e.citation_id, text=e.text or e.snippet, title=e.title) for e in evidence],
        )
        return [] if report.passed else [f"{f.code}: {f.message}" for f in report.failures]

    def redact(self, text: str) -> str:
        from hyperjourney.guardrails.redaction import redact

        return str(redact(text).text)

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


class ReviewQueueFacade:
    name = "hyperjourney.review.queue"

    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(self, tenant: str, *, run_id: str, kind: str, reason: str, payload: dict[str, Any]) -> str:
        from hyperjourney.review.queue import ReviewItem, submit

        item = ReviewItem.model_validate({"kind": kind, "reason": reason, "run_id": run_id, "payload": payload})
        return str(submit(self.db, tenant, item))


class JourneyLauncher:
    name = "hyperjourney.journeys.launch"

    def __init__(self, db: Database) -> None:
        self.db = db

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        from hyperjourney.journeys.launch import JourneyPlan, launch_plan

        result = launch_plan(self.db, tenant, JourneyPlan.model_validate(plan))
        data = result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
        return LaunchResult(
            launched=bool(data.get("launched", True)),
            journey_id=data.get("journey_id"),
            detail=str(data.get("detail", "")),
            launcher=self.name,
        )
