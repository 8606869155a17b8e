"""Analyst: sizes the opportunity from the tenant's data — the segment's baseline for the goal's outcome, its value
from the scoring models, a lift prior from past tests and a holdout from a power calculation.

The numbers come from `tools.sizing_evidence` (read-only SQL over the tenant's tables); the small tier turns them
into the plan's sizing; an LLM tier, when the small tier is unsure, may propose another lift range or holdout,
accepted only when it passes the same checks (ordered range, a holdout no smaller than the power calculation
asks), never on its own stated confidence. The small tier's confidence is the planned test's power: the
probability that the holdout comparison detects the expected lift.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.experiments.sizing import DEFAULT_LIFT, Interval, Outcome, SizingEvidence, expected_value
from hyperjourney.guardrails.fence import fence
from hyperjourney.models.router import Candidate, Stakes
from hyperjourney.prompts.loader import load
from hyperjourney.tools.toolbox import DriftInput, SizingInput

PROMPT = "analyst_sizing"
DEFAULT_HORIZON_DAYS = 90
_UNITS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
_HORIZON = re.compile(r"\b(?:in|over|within|next|for)\s+(?:the\s+)?(\d+|a|one)?\s*(day|week|month|quarter|year)s?\b")
_UPGRADE = re.compile(r"\b(upgrades?|upsell|expansion|seats?)\b")


class Sizing(BaseModel):
    """The output schema of the sizing decision."""

    lift_low: float = Field(ge=-1, le=5, description="Low end of the expected relative lift of the outcome")
    lift_high: float = Field(ge=-1, le=5, description="High end of the expected relative lift of the outcome")
    holdout_share: float = Field(0.1, ge=0.05, le=0.5, description="Share of the segment held out as control")
    min_days: int = Field(28, ge=7, le=180, description="Shortest run before the lift is read")
    confidence: float = Field(
        0.5, ge=0, le=1, description="Small tier: the planned test's power; an LLM's value is recorded, not trusted"
    )


class Opportunity(BaseModel):
    segment: str
    size: int
    baseline: dict[str, float]
    outcome: Outcome = "ltv"
    horizon_days: int = DEFAULT_HORIZON_DAYS
    sizing: Sizing
    expected_value_usd: tuple[float, float] = Field(description="90% interval of the expected value in USD")
    expected_value_point: float = Field(0.0, description="treated × baseline × lift × value at the point estimates")
    evidence: SizingEvidence | None = Field(None, description="Every number the sizing came from")
    reasons: list[str]
    drift_warnings: list[str] = Field(
        default_factory=list, description="Drifted base rates and features since the models trained (may skew sizing)"
    )
    drift_report: str | None = Field(None, description="The drift report the warnings come from")


def outcome_of(brief: ResearchBrief) -> Outcome:
    """The outcome the goal asks to move: upgrade words name upgrades, else the Researcher's metric."""
    if _UPGRADE.search(brief.goal.lower()):
        return "upgrade"
    return brief.query.metric


def horizon_of(goal: str) -> int:
    """The horizon the goal states ("in 6 months", "over the next quarter"), else 90 days; 7 to 730 days."""
    found = _HORIZON.search(goal.lower())
    if not found:
        return DEFAULT_HORIZON_DAYS
    count = found.group(1)
    n = int(count) if count and count.isdigit() else 1
    return min(max(n * _UNITS[found.group(2)], 7), 730)


def rule_sizing(evidence: SizingEvidence) -> Candidate[Sizing]:
    """The prior's interval as the lift range, the power calculation's holdout, the outcome's horizon as the
    shortest run; confidence is the test's power at the prior's mean lift."""
    lift, plan = evidence.prior.lift, evidence.holdout
    sizing = Sizing(
        lift_low=round(min(max(lift.low, -1.0), 5.0), 4),
        lift_high=round(min(max(lift.high, -1.0), 5.0), 4),
        holdout_share=plan.share,
        min_days=min(max(evidence.baseline.horizon_days, 7), 180),
        confidence=round(plan.power, 4),
    )
    return Candidate(sizing, sizing.confidence, f"power {plan.power:.0%} with a {plan.share:.0%} holdout")


def sizing_problems(evidence: SizingEvidence) -> Callable[[Sizing], list[str]]:
    """The checks any tier's sizing must pass (the LLM's is accepted on these, not on its confidence)."""

    def check(value: Sizing) -> list[str]:
        problems = []
        if value.lift_low > value.lift_high:
            problems.append(f"lift_low {value.lift_low} is above lift_high {value.lift_high}")
        if value.holdout_share + 1e-9 < evidence.holdout.share:
            problems.append(
                f"holdout_share {value.holdout_share} is below the {evidence.holdout.share} the power calculation needs"
            )
        return problems

    return check


def _reasons(evidence: SizingEvidence, sizing: Sizing, target: float, value: Interval) -> list[str]:
    base, worth, prior, plan = evidence.baseline, evidence.value, evidence.prior, evidence.holdout
    rate = base.rate
    observed = (
        f"{len(prior.observed)} past tests ({'; '.join(prior.sources[:3])}) shrunk toward the {DEFAULT_LIFT:+.0%} "
        "default"
        if prior.observed
        else f"no past journey or experiment readouts: the {DEFAULT_LIFT:+.0%} default"
    )
    where = "above" if target > sizing.lift_high else "below" if target < sizing.lift_low else "within"
    power = (
        f"holdout {sizing.holdout_share:.0%} ({plan.holdout:,} customers) for at least {sizing.min_days} days: "
        f"{plan.power:.0%} power to detect {prior.lift.value:+.1%}"
    )
    if plan.power < 0.8 and plan.detectable_lift is not None:
        power += f" (underpowered: this split detects {plan.detectable_lift:+.0%} or more)"
    return [
        f"baseline {base.outcome} over {base.horizon_days} days: {rate.value:.1%} ({base.successes:,} of "
        f"{base.customers:,}; 90% CI {rate.low:.1%}–{rate.high:.1%}); {base.definition}",
        f"value per customer ${worth.per_customer.value:,.0f} (90% CI ${worth.per_customer.low:,.0f}–"
        f"${worth.per_customer.high:,.0f}) from the {worth.score} score of {worth.scored:,} members",
        f"expected lift {sizing.lift_low:+.1%} to {sizing.lift_high:+.1%} from {observed}; the goal's "
        f"{target:+.0%} target is {where} that range",
        power,
        f"expected value ${value.value:,.0f} (90% interval ${value.low:,.0f} to ${value.high:,.0f}) = treated × "
        "baseline × lift × value",
    ]


def size_opportunity(ctx: AgentContext, brief: ResearchBrief) -> AgentResult:
    """Size from the tenant's data; drifted base rates or features are flagged, since the baseline and the
    scores that picked the segment may no longer describe today's customers."""
    segment = brief.segment
    outcome, horizon = outcome_of(brief), horizon_of(brief.goal)
    evidence = ctx.tools.sizing_evidence(SizingInput(segment=segment.definition, outcome=outcome, horizon_days=horizon))
    drift = ctx.tools.latest_drift(DriftInput())
    check = sizing_problems(evidence)
    routed = ctx.router.decide(
        "sizing",
        schema=Sizing,
        prompt=load(PROMPT),
        variables={
            "untrusted_goal": fence(brief.goal, author="marketer"),
            "segment": segment.name,
            "size": evidence.size,
            "outcome": f"{outcome} over {horizon} days",
            "evidence": evidence.model_dump_json(exclude={"prior": {"sources"}}),
            "drift": "; ".join(drift.warnings) or "none detected",
        },
        small=lambda: rule_sizing(evidence),
        stakes=Stakes(cohort_size=evidence.size),
        check=check,
    )
    rule = rule_sizing(evidence).value
    sizing = routed.value or rule
    holdout = round(evidence.size * sizing.holdout_share)
    lift = Interval(value=(sizing.lift_low + sizing.lift_high) / 2, low=sizing.lift_low, high=sizing.lift_high)
    if sizing == rule:  # the small tier's own range: the prior itself, unrounded
        lift = evidence.prior.lift
    value = expected_value(evidence.size - holdout, evidence.baseline.rate, lift, evidence.value.per_customer)
    opportunity = Opportunity(
        segment=segment.name,
        size=evidence.size,
        baseline=segment.baseline,
        outcome=outcome,
        horizon_days=horizon,
        sizing=sizing,
        expected_value_usd=(value.low, value.high),
        expected_value_point=value.value,
        evidence=evidence,
        reasons=_reasons(evidence, sizing, brief.query.target_lift, value),
        drift_warnings=drift.warnings,
        drift_report=drift.report_id,
    )
    result = AgentResult(opportunity, [])
    inputs = {"segment": segment.name, "size": evidence.size, "outcome": outcome, "horizon_days": horizon,
              "drift_report": drift.report_id}  # fmt: skip
    result.add(Step("sizing", routed, [], inputs))
    return result
