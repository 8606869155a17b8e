"""The Analyst sizes an opportunity in money from the real segment's lifetime value (it read keys only a
stand-in produced, so the expected value was always $0)."""

from __future__ import annotations

from hyperjourney.agents import analyst, researcher
from hyperjourney.db.database import Database
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import fixed_clock


def test_expected_value_comes_from_the_segments_lifetime_value(
    db: Database, trained_tenant: str, settings: Settings
) -> None:
    ctx = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock()).context(trained_tenant, "run-analyst", "canvas")
    brief = researcher.ResearchBrief.model_validate(
        researcher.research_goal(ctx, "Lift LTV 20% in fintech SMBs").output.model_dump()
    )
    clv = brief.segment.baseline["avg_clv"]
    assert clv > 0
    opportunity = analyst.Opportunity.model_validate(analyst.size_opportunity(ctx, brief).output.model_dump())
    treated = opportunity.size * (1 - opportunity.sizing.holdout_share)
    low, high = opportunity.sizing.lift_low, opportunity.sizing.lift_high
    assert opportunity.expected_value_usd == (round(treated * clv * low, 2), round(treated * clv * high, 2))
    assert opportunity.expected_value_usd[1] > 0
