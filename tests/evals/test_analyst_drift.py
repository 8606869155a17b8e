"""The Analyst reads the newest drift report through its typed tool and flags drift when it sizes an opportunity,
in the LLM prompt, in its output, in the canvas approval payload and in the plan card; journey readouts too."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.agents import analyst
from hyperjourney.agents.researcher import GoalQuery, ResearchBrief
from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.monitoring import store
from hyperjourney.monitoring.tenant_drift import measure
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import DriftInput
from hyperjourney.ui import render
from tests.agentkit import RecordingLauncher, fixed_clock, scripted_tiers, segment

GOAL = "Lift LTV 20% in fintech SMBs"
KB = Path(__file__).resolve().parents[2] / "hyperjourney" / "knowledge" / "kb" / "demo"


def _store_drift(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        store.save_drift(conn, measure(conn))


@pytest.fixture(scope="module")
def measured(db: Database, steady_tenant: str, shifted_tenant: str) -> tuple[str, str]:
    for tenant in (steady_tenant, shifted_tenant):
        _store_drift(db, tenant)
    return steady_tenant, shifted_tenant


def _brief(size: int) -> ResearchBrief:
    fintech = segment("fintech smb", size, {"avg_clv": 1200.0})
    return ResearchBrief(goal=GOAL, query=GoalQuery(target_lift=0.2), segment=fintech, insights=[], reason_codes=[])


def test_the_drift_tool_is_typed_and_empty_without_a_report(db: Database, settings: Settings, tenant: str) -> None:
    ctx = build_deps(db, settings, tiers=Tiers()).context(tenant, "run-x", "canvas")
    out = ctx.tools.latest_drift(DriftInput())
    assert not out.available and out.warnings == [] and "eval run" in out.note


def test_sizing_flags_drift_on_the_shifted_tenant_only(
    db: Database, settings: Settings, measured: tuple[str, str]
) -> None:
    steady, shifted = measured
    prompts: dict[str, str] = {}
    outputs: dict[str, analyst.Opportunity] = {}
    for tenant in (steady, shifted):
        tiers, models = scripted_tiers(  # a holdout no smaller than the power calculation's, so its checks pass
            large=[analyst.Sizing(lift_low=0.05, lift_high=0.12, holdout_share=0.5, min_days=28, confidence=0.7)]
        )
        # every cohort counts as high stakes here (the Analyst sizes the segment's real members), so llm-large sizes
        high = settings.model_copy(update={"router": settings.router.model_copy(update={"high_stakes_cohort": 1})})
        ctx = build_deps(db, high, tiers=tiers, clock=fixed_clock()).context(tenant, f"run-{tenant}", "canvas")
        result = analyst.size_opportunity(ctx, _brief(size=1500))
        models["llm-large"].assert_done()
        prompts[tenant] = models["llm-large"].prompts()[0]
        outputs[tenant] = analyst.Opportunity.model_validate(result.output.model_dump())
        assert result.steps[0].inputs["drift_report"] == outputs[tenant].drift_report is not None
    assert outputs[steady].drift_warnings == []
    assert "Data drift since the models trained: none detected" in prompts[steady]
    flagged = outputs[shifted].drift_warnings
    assert flagged and flagged[0].startswith("churn base rate moved ") and "since training" in flagged[0]
    assert "churn base rate moved" in prompts[shifted]
    assert outputs[shifted].sizing.lift_high == 0.12  # the LLM's sizing stands; the flag travels with it


def test_the_canvas_approval_payload_and_plan_card_carry_the_warning(
    db: Database, settings: Settings, measured: tuple[str, str]
) -> None:
    from hyperjourney.knowledge.ingest import ingest_path

    steady, shifted = measured
    cards = {}
    for tenant in (steady, shifted):
        ingest_path(db, tenant, KB)
        deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
        result = runs.start_canvas(db, tenant, GOAL, deps=deps)
        assert result.status == "awaiting_approval" and result.approval is not None
        cards[tenant] = (result.approval, render.plan_markdown(result.approval, {}, [], {}))
    assert cards[steady][0]["drift"] == [] and "Data drift" not in cards[steady][1]
    approval, card = cards[shifted]
    assert approval["drift"] and approval["drift"][0].startswith("churn base rate moved")
    assert "Data drift since the models trained" in card and "⚠ churn base rate moved" in card
