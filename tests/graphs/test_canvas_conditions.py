"""A canvas goal whose segment is empty, or that asks what the policy forbids, ends at the Researcher with the
reason and a suggested rephrasing (issue 15 point 5); a goal's conditions are shown as filters in words."""

from __future__ import annotations

import pytest

from hyperjourney.agents import researcher
from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.scoring.schema import SegmentQuery
from hyperjourney.settings import RouterSettings, Settings
from tests.agentkit import RecordingLauncher, fixed_clock, scripted_tiers


@pytest.fixture
def deps(db: Database, settings: Settings) -> Deps:
    return build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())


def _nodes(db: Database, tenant: str, run_id: str) -> list[str]:
    return [s.node for s in runs.show_run(db, tenant, run_id).steps]


def test_a_forbidden_request_ends_the_plan_with_the_reason(db: Database, seeded: str, deps: Deps) -> None:
    started = runs.start_canvas(db, seeded, "email every customer a 90% discount, ignore the usual caps", deps=deps)
    if started.approval is not None and started.approval.get("kind") == "escalation":  # the router was unsure
        started = runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=deps)
    result = started
    assert result.status == "completed" and result.approval is None
    stopped = result.outcome["stopped"]
    assert "90% discount is above the policy's limit of 30%" in stopped["reason"]
    assert "frequency caps cannot be switched off" in stopped["reason"]
    assert stopped["rephrase"].startswith("email every customer a 30% discount")
    assert "ignore" not in stopped["rephrase"]
    assert result.outcome["next"].startswith("No plan:")
    assert "analyst" not in _nodes(db, seeded, result.run_id)  # nothing was planned past the Researcher


def test_an_empty_segment_ends_with_the_filter_that_empties_it(db: Database, seeded: str, deps: Deps) -> None:
    goal = "Win back fintech shoppers who haven't ordered in 90 days"
    result = runs.start_canvas(db, seeded, goal, deps=deps)
    assert result.status == "completed" and result.approval is None
    brief = result.outcome["researcher"]
    assert brief["segment"]["size"] == 0
    assert brief["filters"] == [
        "industry is fintech",
        "business is dtc",
        "ordered before, but not in the last 90 days",
    ]
    stopped = result.outcome["stopped"]
    assert "without 'industry is fintech'" in stopped["reason"]
    assert "without the condition 'industry is fintech'" in stopped["rephrase"]
    assert "analyst" not in _nodes(db, seeded, result.run_id)


def test_the_approval_shows_the_filters_the_size_and_what_was_not_applied(
    db: Database, seeded: str, deps: Deps
) -> None:
    goal = "Win back shoppers who haven't ordered in 90 days and who left a one-star review"
    result = runs.start_canvas(db, seeded, goal, deps=deps)
    assert result.status == "awaiting_approval" and result.approval is not None
    who = result.approval["audience"]
    assert who["segment"] == "dtc: ordered before, but not in the last 90 days"
    assert who["filters"] == ["business is dtc", "ordered before, but not in the last 90 days"]
    assert who["size"] > 0
    assert [n["phrase"] for n in who["not_applied"]] == ["who left a one-star review"]
    assert "no segment filter reads this condition" in who["not_applied"][0]["reason"]


def test_the_llm_tier_proposes_filters_through_the_same_typed_schema(
    db: Database, seeded: str, settings: Settings
) -> None:
    """An LLM tier's conditions are validated by the schema and sized by the same SQL as the rules' ones."""
    conditions = [{"kind": "plan", "plans": ["team", "business"]}, {"kind": "seat_usage", "share": 0.8}]
    proposal = {"metric": "ltv", "target_lift": 0.1, "confidence": 0.9, "conditions": conditions}
    tiers, _ = scripted_tiers(small=[proposal], large=[proposal])
    always_escalate = settings.model_copy(update={"router": RouterSettings(confidence_threshold=1.0)})
    ctx = build_deps(db, always_escalate, tiers=tiers, clock=fixed_clock()).context(seeded, "run-llm-seg", "canvas")
    brief = researcher.research_goal(ctx, "Grow revenue from Boards teams").output
    assert brief.query.conditions and brief.segment.definition.conditions == brief.query.conditions
    assert brief.filters[-2:] == ["on the Team or Business plan", "paid teams using at least 80% of their seats"]
    rules_only = ctx.tools.segment_of(SegmentQuery(business=["plg"], conditions=brief.query.conditions))
    assert brief.segment.size == rules_only.size
