"""Analyst: sizes the opportunity from the segment's baseline, with an expected lift range and a holdout plan."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.guardrails.fence import fence
from hyperjourney.models.router import Candidate, Stakes
from hyperjourney.prompts.loader import load
from hyperjourney.tools.toolbox import DriftInput

PROMPT = "analyst_sizing"


class Sizing(BaseModel):
    """The output schema of the sizing decision."""

    lift_low: float = Field(ge=-1, le=5)
    lift_high: float = Field(ge=-1, le=5)
    holdout_share: float = Field(0.1, ge=0.05, le=0.5)
    min_days: int = Field(28, ge=7, le=180)
    confidence: float = Field(0.5, ge=0, le=1)


class Opportunity(BaseModel):
    segment: str
    size: int
    baseline: dict[str, float]
    sizing: Sizing
    expected_value_usd: tuple[float, float]
    reasons: list[str]
    drift_warnings: list[str] = Field(
        default_factory=list, description="Drifted base rates and features since the models trained (may skew sizing)"
    )
    drift_report: str | None = Field(None, description="The drift report the warnings come from")


def rule_sizing(brief: ResearchBrief) -> Candidate[Sizing]:
    """Half to all of the target lift; bigger cohorts get a smaller holdout share and more confidence."""
    size, target = brief.segment.size, brief.query.target_lift
    sizing = Sizing(
        lift_low=round(target * 0.5, 4),
        lift_high=round(target, 4),
        holdout_share=0.1 if size >= 1000 else 0.2,
        min_days=28 if size >= 200 else 42,
        confidence=0.8 if size >= 50 else 0.4,
    )
    return Candidate(sizing, sizing.confidence, f"cohort {size}, target +{target:.0%}")


def size_opportunity(ctx: AgentContext, brief: ResearchBrief) -> AgentResult:
    """Size from the segment's baseline; drifted base rates or features are flagged, since the baseline and the
    scores that picked the segment may no longer describe today's customers."""
    segment = brief.segment
    drift = ctx.tools.latest_drift(DriftInput())
    routed = ctx.router.decide(
        "sizing",
        schema=Sizing,
        prompt=load(PROMPT),
        variables={
            "untrusted_goal": fence(brief.goal, author="marketer"),
            "segment": segment.name,
            "size": segment.size,
            "baseline": segment.baseline,
            "drift": "; ".join(drift.warnings) or "none detected",
        },
        small=lambda: rule_sizing(brief),
        stakes=Stakes(cohort_size=segment.size),
    )
    sizing = routed.value or rule_sizing(brief).value
    value = segment.baseline.get("avg_clv", 0.0)  # the real segment's average customer lifetime value
    treated = segment.size * (1 - sizing.holdout_share)
    expected = (round(treated * value * sizing.lift_low, 2), round(treated * value * sizing.lift_high, 2))
    opportunity = Opportunity(
        segment=segment.name,
        size=segment.size,
        baseline=segment.baseline,
        sizing=sizing,
        expected_value_usd=expected,
        reasons=[
            f"baseline {', '.join(f'{k}={v:,.2f}' for k, v in segment.baseline.items()) or 'unknown'}",
            f"expected lift {sizing.lift_low:.0%}–{sizing.lift_high:.0%} on {treated:,.0f} treated customers",
            f"holdout {sizing.holdout_share:.0%} for at least {sizing.min_days} days",
        ],
        drift_warnings=drift.warnings,
        drift_report=drift.report_id,
    )
    result = AgentResult(opportunity, [])
    inputs = {"segment": segment.name, "size": segment.size, "drift_report": drift.report_id}
    result.add(Step("sizing", routed, [], inputs))
    return result
