"""Orchestrator: turns sized, approved copy into a journey under policy, and picks one customer's next best action.

Every channel step is checked by the policy engine for a sample of the cohort before anything is
proposed; the approval interrupt shows those verdicts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from hyperjourney.agents.analyst import Opportunity
from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.agents.copywriter import CopySet
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.models.router import Candidate, Stakes
from hyperjourney.nba.rank import RankedAction
from hyperjourney.policy.models import Channel, ProposedAction
from hyperjourney.prompts.loader import load
from hyperjourney.scoring.schema import SegmentQuery
from hyperjourney.tools.toolbox import CustomerInput, RankInput

PROMPT = "orchestrator_journey"
NBA_PROMPT = "nba_choose"
POLICY_SAMPLE = 5
SEND_HOUR = 10


class JourneyStep(BaseModel):
    channel: Channel
    delay_days: int = Field(ge=0, le=90)
    variant: str


class JourneyDraft(BaseModel):
    """The output schema of the journey decision (what the launcher receives once approved)."""

    name: str = ""
    trigger: str
    steps: list[JourneyStep] = Field(min_length=1)
    cadence: str
    frequency_cap_per_week: int = Field(ge=1, le=14)
    holdout_share: float = Field(ge=0.05, le=0.5)
    confidence: float = Field(0.7, ge=0, le=1)


class ChannelCheck(BaseModel):
    channel: str
    allowed: int
    checked: int
    needs_review: bool
    rules: list[str]
    policy_version: str


class JourneyProposal(BaseModel):
    plan: JourneyDraft
    segment: SegmentQuery
    cohort_size: int
    variants: CopySet
    policy: list[ChannelCheck]


class NbaChoice(BaseModel):
    """The output schema of the next-best-action decision."""

    action_id: str | None
    confidence: float = Field(ge=0, le=1)


class NbaResult(BaseModel):
    customer_id: str
    chosen: RankedAction | None
    ranked: list[RankedAction]
    reasons: list[str]


def rule_journey(brief: ResearchBrief, opportunity: Opportunity, copy: CopySet) -> Candidate[JourneyDraft]:
    passed = [v for v in copy.variants if v.passed_guardrails]
    steps = [JourneyStep(channel=v.channel, delay_days=3 * i, variant=f"{v.channel}-1") for i, v in enumerate(passed)]
    plan = JourneyDraft(
        name=f"{brief.query.metric} lift · {brief.segment.name}",
        trigger=f"enters segment '{brief.segment.name}'",
        steps=steps or [JourneyStep(channel="email", delay_days=0, variant="email-1")],
        cadence="one touch every 3 days, then stop",
        frequency_cap_per_week=2,
        holdout_share=opportunity.sizing.holdout_share,
        confidence=0.8 if passed else 0.3,
    )
    return Candidate(plan, plan.confidence, f"{len(passed)} guardrail-clean variants")


def local_send_time(now: datetime, delay_days: int, timezone: str, hour: int = SEND_HOUR) -> datetime:
    """The first ``hour`` o'clock in the customer's zone at least ``delay_days`` from now (inside send windows)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (now + timedelta(days=delay_days)).astimezone(zone)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at >= local else at + timedelta(days=1)


def check_channels(ctx: AgentContext, plan: JourneyDraft, customer_ids: list[str], cohort: int) -> list[ChannelCheck]:
    checks = []
    sample = [ctx.tools.customer_profile(CustomerInput(customer_id=c)) for c in customer_ids[:POLICY_SAMPLE]]
    for i, step in enumerate(plan.steps):
        verdicts = [
            ctx.tools.check_policy(
                ProposedAction(
                    customer_id=p.customer_id,
                    channel=step.channel,
                    purpose="marketing",
                    campaign_id=ctx.run_id,
                    send_at=local_send_time(ctx.now, step.delay_days, p.timezone),
                    cohort_size=cohort,
                )
            )
            for p in sample
        ]
        fired = sorted({h.line() for v in verdicts for h in v.flagged})
        rules = fired or ["allow: every sampled customer passed"]
        checks.append(
            ChannelCheck(
                channel=f"{i + 1}:{step.channel}",
                allowed=sum(v.allowed for v in verdicts),
                checked=len(verdicts),
                needs_review=any(v.needs_review for v in verdicts),
                rules=rules[:8],
                policy_version=verdicts[0].policy_version if verdicts else "",
            )
        )
    return checks


def propose_journey(ctx: AgentContext, brief: ResearchBrief, opportunity: Opportunity, copy: CopySet) -> AgentResult:
    candidate = rule_journey(brief, opportunity, copy)
    routed = ctx.router.decide(
        "journey",
        schema=JourneyDraft,
        prompt=load(PROMPT),
        variables={
            "segment": brief.segment.name,
            "channels": ", ".join(v.channel for v in copy.variants),
            "holdout": f"{opportunity.sizing.holdout_share:.0%}",
        },
        small=lambda: candidate,
        stakes=Stakes(cohort_size=brief.segment.size),
    )
    plan = routed.value or candidate.value
    policy = check_channels(ctx, plan, brief.segment.customer_ids, brief.segment.size)
    proposal = JourneyProposal(
        plan=plan, segment=brief.segment.definition, cohort_size=brief.segment.size, variants=copy, policy=policy
    )
    result = AgentResult(proposal, [])
    result.add(Step("journey", routed, [], {"segment": brief.segment.name, "cohort": brief.segment.size}))
    for check in policy:
        if check.needs_review:
            result.review.append(f"policy asks for review of step {check.channel}: {'; '.join(check.rules)}")
    return result


def next_best_action(
    ctx: AgentContext, customer_id: str, event: dict[str, object] | None, now: datetime
) -> AgentResult:
    """The ranker's candidates (each policy-checked); the router picks among the allowed ones."""
    ranked = ctx.tools.rank_actions(RankInput(customer_id=customer_id, event=event, now=now)).ranked
    allowed = [a for a in ranked if a.policy.allowed]
    top = allowed[0] if allowed else None
    margin = (top.score - allowed[1].score) if top and len(allowed) > 1 else 1.0
    small = NbaChoice(action_id=top.action_id if top else None, confidence=round(min(1.0, 0.5 + margin), 3))
    routed = ctx.router.decide(
        "nba",
        schema=NbaChoice,
        prompt=load(NBA_PROMPT),
        variables={
            "customer": customer_id,
            "scores": {a.action_id: a.score for a in ranked},
            "event": event or {},
            "candidates": [a.action_id for a in allowed],
        },
        small=lambda: Candidate(small, small.confidence, "highest score among allowed actions"),
    )
    choice = routed.value or small
    chosen = next((a for a in allowed if a.action_id == choice.action_id), None)
    reasons = chosen.reasons if chosen else ["no allowed action"]
    result = AgentResult(NbaResult(customer_id=customer_id, chosen=chosen, ranked=ranked, reasons=reasons), [])
    result.add(Step("nba", routed, [], {"customer_id": customer_id, "event": event or {}}))
    return result
