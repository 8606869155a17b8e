"""The goal-first canvas on the small tier: plan, evidence, approval interrupt, approve / edit / reject."""

from __future__ import annotations

from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.launch import approved_plan
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.guardrails.models import GuardFailure, GuardReport
from hyperjourney.journeys.launch import canvas_definition
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import Toolbox, ValidateInput
from tests.agentkit import RecordingLauncher, fixed_clock, scripted_tiers

GOAL = "Lift LTV 20% in fintech SMBs"


@pytest.fixture
def launcher() -> RecordingLauncher:
    return RecordingLauncher()


@pytest.fixture
def deps(db: Database, settings: Settings, launcher: RecordingLauncher) -> Deps:
    return build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)


def _audit_actions(db: Database, tenant: str, run_id: str) -> list[str]:
    with db.tenant(tenant) as conn:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE entity = %s ORDER BY seq", (run_id,))]


def test_canvas_stops_at_approval_with_a_cited_plan_on_the_small_tier(db: Database, seeded: str, deps: Deps) -> None:
    result = runs.start_canvas(db, seeded, GOAL, deps=deps)
    assert result.status == "awaiting_approval" and result.approval is not None
    plan, variants = result.approval["plan"], result.approval["variants"]
    assert plan["steps"] and 0.05 <= plan["holdout_share"] <= 0.5
    assert {v["channel"] for v in variants} == {"email", "sms"}
    for v in variants:
        assert v["citations"] and all(f"[cite:{c}]" in v["body"] for c in v["citations"])
        assert v["passed_guardrails"] and v["tier"] == "small"
    assert all(p["checked"] > 0 for p in result.approval["policy"])
    assert result.summary.tokens == 0 and set(result.summary.mix) <= {"small", "human"}
    view = runs.show_run(db, seeded, result.run_id)
    assert view.status == "awaiting_approval"
    assert [s.node for s in view.steps] == ["supervisor", "researcher", "analyst", "copywriter", "copywriter",
                                           "orchestrator"]  # fmt: skip
    assert all("@" in s.prompt for s in view.steps)
    for s in view.steps:  # small decisions, or (a small cohort's sizing) review because no LLM tier exists
        assert s.tier == "small" or "llm-large tier not configured" in (s.review_reason or ""), s
        if s.tier == "human":
            assert any(r.startswith(f"{s.decision}: ") for r in result.review)
    assert view.steps[1].evidence_ids  # the Researcher's insights carry evidence ids
    segment = runs.show_run(db, seeded, result.run_id).steps[1]
    assert "fintech" in segment.reason
    assert _audit_actions(db, seeded, result.run_id)[0] == "run_started"


def test_approve_launches_exactly_once(db: Database, seeded: str, deps: Deps, launcher: RecordingLauncher) -> None:
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    done = runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=deps)
    assert done.status == "completed"
    assert done.outcome["launch"]["journey_id"] == f"jrn-{started.run_id[-6:]}"
    assert "holdout" in done.outcome["next"]
    assert [r for _, r, _ in launcher.launched] == [started.run_id]
    with pytest.raises(runs.RunStateError, match="completed, not awaiting approval"):
        runs.resume(db, seeded, started.run_id, {"action": "approve"}, deps=deps)
    assert len(launcher.launched) == 1
    actions = _audit_actions(db, seeded, started.run_id)
    assert actions.count("journey_launch") == 1 and "approval:approve" in actions and actions[-1] == "run_finished"
    view = runs.show_run(db, seeded, started.run_id)
    assert view.outcome is not None and view.outcome["decision"] == "approved" and view.outcome["reviewer"] == "ana"


def test_reject_records_the_decision_and_launches_nothing(
    db: Database, seeded: str, deps: Deps, launcher: RecordingLauncher
) -> None:
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    done = runs.resume(db, seeded, started.run_id, {"action": "reject", "comment": "not now"}, deps=deps)
    assert done.status == "rejected" and launcher.launched == []
    view = runs.show_run(db, seeded, started.run_id)
    assert view.status == "rejected" and view.outcome is not None and view.outcome["decision"] == "rejected"


def test_edit_is_revalidated_by_guardrails(db: Database, seeded: str, deps: Deps, launcher: RecordingLauncher) -> None:
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    assert started.approval is not None
    variants: list[dict[str, Any]] = started.approval["variants"]
    bad = [{**variants[0], "body": "Guaranteed savings, totally risk-free!"}]
    again = runs.resume(db, seeded, started.run_id, {"action": "edit", "variants": bad}, deps=deps)
    assert again.status == "awaiting_approval" and again.approval is not None
    problems = " ".join(again.approval["edit_problems"])
    assert "risk-free" in problems and "cit" in problems
    assert launcher.launched == []
    email = next(v for v in variants if v["channel"] == "email" and v["passed_guardrails"])
    good = [{**email, "body": email["body"].replace("we hope you are well", "we hope all is well with you")}]
    assert good[0]["body"] != email["body"]
    done = runs.resume(db, seeded, started.run_id, {"action": "edit", "variants": good, "reviewer": "bo"}, deps=deps)
    assert done.status == "completed"
    launched_plan = launcher.launched[0][2]
    assert [v["body"] for v in launched_plan["variants"]] == [good[0]["body"]]
    # one variant kept of two: only its step launches, and every step the journey sends has its copy
    assert {s["channel"] for s in launched_plan["plan"]["steps"]} == {"email"}
    journey = canvas_definition(approved_plan(started.run_id, launched_plan, []))
    sends = [s for s in journey["steps"] if s["type"] == "action"]
    assert sends and all(v["body"].strip() for s in sends for v in s["variants"])
    view = runs.show_run(db, seeded, started.run_id)
    assert view.outcome is not None and view.outcome["decision"] == "edited"


def test_unsure_routing_without_llm_tiers_goes_to_review(db: Database, seeded: str, deps: Deps) -> None:
    result = runs.start_canvas(db, seeded, "banana", deps=deps)
    assert result.status == "awaiting_approval" and result.approval is not None
    assert result.approval["kind"] == "escalation" and result.approval["review_item"].startswith("rv_")
    assert "llm-small tier not configured" in result.review[0]
    assert result.summary.by_tier == {"human": 1}


def test_unsure_routing_escalates_to_llm_small(db: Database, seeded: str, settings: Settings) -> None:
    segment = {"industry": None, "company_size": None, "metric": "retention", "target_lift": 0.05, "confidence": 0.8}
    tiers, models = scripted_tiers(small=[{"kind": "insight", "confidence": 0.9}, segment])
    deps = build_deps(db, settings, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    result = runs.start_canvas(db, seeded, "banana", deps=deps)
    models["llm-small"].assert_done()
    assert result.status == "completed" and set(result.outcome) >= {"researcher", "analyst"}
    assert result.summary.by_tier == {"llm-small": 2, "small": 1} and result.summary.tokens == 300
    assert result.outcome["researcher"]["query"]["metric"] == "retention"
    steps = runs.show_run(db, seeded, result.run_id).steps
    assert steps[0].tier == "llm-small" and steps[0].tokens == 150 and steps[0].model == "llm-small-scripted"


def test_runs_are_tenant_scoped(db: Database, seeded: str, deps: Deps, make_tenant: Any) -> None:
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    other = make_tenant("other")
    assert runs.list_runs(db, other) == []
    with pytest.raises(runs.RunStateError, match="not found"):
        runs.resume(db, other, started.run_id, {"action": "approve"}, deps=deps)
    with db.tenant(other) as conn:
        assert conn.execute("SELECT count(*) FROM checkpoints").fetchone() == (0,)
    with db.tenant(seeded) as conn:
        row = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (started.run_id,)).fetchone()
        assert row is not None and row[0] > 0


def test_spent_budget_stops_escalation_in_a_run(db: Database, seeded: str, settings: Settings) -> None:
    broke = settings.model_copy(
        update={"budgets": settings.budgets.model_copy(update={"per_feature_usd": {"canvas": 0.0}})}
    )
    tiers, models = scripted_tiers(small=[], large=[])
    deps = build_deps(db, broke, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    result = runs.start_canvas(db, seeded, "banana", deps=deps)
    assert result.status == "awaiting_approval" and "canvas budget exhausted" in result.review[0]
    assert models["llm-small"].calls == [] and models["llm-large"].calls == []


class _MarkerTools(Toolbox):
    """Guardrails that reject any copy without the marker, so the small tier's templates always fail."""

    def validate_asset(self, inp: ValidateInput) -> GuardReport:
        failures = [] if "MARKER" in inp.asset.body else [GuardFailure(code="marker", validator="test",
                                                                       message="missing MARKER")]  # fmt: skip
        return GuardReport(passed=not failures, failures=failures, checked=["marker"])


def test_guardrail_rejection_escalates_copy_and_reasks_with_feedback(
    db: Database, seeded: str, settings: Settings
) -> None:
    drafts = [{"body": "first try", "confidence": 0.9}, {"body": "MARKER email", "confidence": 0.9},
              {"body": "MARKER sms", "confidence": 0.9}]  # fmt: skip
    tiers, models = scripted_tiers(small=drafts)
    deps = build_deps(db, settings, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    deps.toolbox = _MarkerTools
    result = runs.start_canvas(db, seeded, "Lift LTV 20% among shoppers", deps=deps)  # a cohort sized confidently
    models["llm-small"].assert_done()
    assert result.approval is not None
    bodies = {v["channel"]: (v["body"], v["tier"]) for v in result.approval["variants"]}
    assert bodies == {"email": ("MARKER email", "llm-small"), "sms": ("MARKER sms", "llm-small")}
    prompts = models["llm-small"].prompts()
    assert "missing MARKER" in prompts[0] and "missing MARKER" in prompts[1]  # small tier's failure, then its own
    steps = {s.decision: s for s in runs.show_run(db, seeded, result.run_id).steps}
    assert steps["copy:email"].tokens == 300 and steps["copy:sms"].tokens == 150
