"""Escalations are real review items (listed by `review list` and GET /v1/review, with their reasons) and
deciding one decides its run; an approve launches only the variants that pass the tenant's rules now."""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.nodes import ApprovalDecision
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.guardrails.rules_store import store_content_rules
from hyperjourney.models.tiers import Tiers
from hyperjourney.review import queue
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock
from tests.cli_runner import invoke


@pytest.fixture
def launcher() -> RecordingLauncher:
    return RecordingLauncher()


@pytest.fixture
def deps(db: Database, settings: Settings, launcher: RecordingLauncher) -> Deps:
    return build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)


def _escalation_of(db: Database, tenant: str, run_id: str) -> queue.StoredReviewItem:
    items = [i for i in queue.list_items(db, tenant, limit=500) if i.run_id == run_id and i.kind == "escalation"]
    assert len(items) == 1, items
    return items[0]


def test_a_goal_routed_to_a_person_is_a_review_item_and_approving_it_continues_the_run(
    db: Database, seeded: str, deps: Deps
) -> None:
    started = runs.start_canvas(db, seeded, "banana", deps=deps)  # no LLM tier: the unsure route goes to a person
    assert started.status == "awaiting_approval" and started.approval is not None
    item = _escalation_of(db, seeded, started.run_id)
    assert item.item_id == started.approval["review_item"] and item.status == "pending"
    assert any(r.startswith("route: ") and "llm-small tier not configured" in r for r in item.reasons)
    kind = item.payload["proposal"]["plan_kind"]

    code, out = invoke("review", "list", "--tenant", seeded)
    assert code == 0 and item.item_id in out and "escalation" in out

    result = runs.decide_item(db, seeded, item.item_id, ApprovalDecision(action="approve", reviewer="ana"), deps=deps)
    assert result is not None and result.run_id == started.run_id
    assert result.status == ("awaiting_approval" if kind == "campaign" else "completed")
    assert queue.get(db, seeded, item.item_id).status == "approved"
    nodes = [s.node for s in runs.show_run(db, seeded, started.run_id).steps]
    assert nodes[0] == "supervisor" and "researcher" in nodes  # the run went on past its route


def test_rejecting_an_escalation_ends_its_run_and_the_queue_alone_cannot_decide_it(
    db: Database, seeded: str, deps: Deps, launcher: RecordingLauncher
) -> None:
    started = runs.start_canvas(db, seeded, "banana", deps=deps)
    item = _escalation_of(db, seeded, started.run_id)
    with pytest.raises(queue.ReviewError, match="is an escalation of run"):
        queue.approve(db, seeded, item.item_id, "ana")
    decision = ApprovalDecision(action="reject", reviewer="bo", comment="not a goal")
    result = runs.decide_item(db, seeded, item.item_id, decision, deps=deps)
    assert result is not None and result.status == "rejected" and launcher.launched == []
    decided = queue.get(db, seeded, item.item_id)
    assert decided.status == "rejected" and decided.reviewer == "bo" and decided.note == "not a goal"
    assert runs.show_run(db, seeded, started.run_id).status == "rejected"


def test_escalated_decisions_of_a_canvas_hold_its_approval_in_the_queue(
    db: Database, seeded: str, settings: Settings, launcher: RecordingLauncher
) -> None:
    # a tenant that wants underpowered tests reviewed: the small cohort's sizing goes to a person (no LLM tier)
    router = settings.router.model_copy(update={"thresholds": {**settings.router.thresholds, "sizing": 0.8}})
    strict = settings.model_copy(update={"router": router})
    deps = build_deps(db, strict, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)
    started = runs.start_canvas(db, seeded, "Lift LTV 20% in fintech SMBs", deps=deps)
    assert started.approval is not None
    flagged = {e["stage"] for e in started.approval["escalations"]}
    assert "sizing" in flagged, "this goal's small cohort is sized by a person (no LLM tier)"
    item = _escalation_of(db, seeded, started.run_id)
    assert {r.split(":")[0] for r in item.reasons} == flagged
    again = runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=deps)
    assert again.status == "completed" and len(launcher.launched) == 1
    assert queue.get(db, seeded, item.item_id).status == "approved"
    assert _escalation_of(db, seeded, started.run_id).item_id == item.item_id  # the replayed node queued no twin


def test_approve_launches_only_the_variants_that_pass_the_tenants_rules_now(
    db: Database, seeded: str, deps: Deps, launcher: RecordingLauncher
) -> None:
    started = runs.start_canvas(db, seeded, "Lift LTV 20% in fintech SMBs", deps=deps)
    assert started.approval is not None
    assert {v["channel"] for v in started.approval["variants"] if v["passed_guardrails"]} == {"email", "sms"}
    base = demo_rules()
    strict = base.model_copy(
        update={"version": f"strict-{started.run_id}",
                "required_elements": {**base.required_elements, "sms": ["ZQX-ONLY-IN-TEST"]}}
    )  # fmt: skip
    store_content_rules(db, seeded, strict, source="test", actor="test")
    try:
        done = runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=deps)
    finally:
        store_content_rules(db, seeded, base.model_copy(update={"version": f"back-{started.run_id}"}),
                            source="test", actor="test")  # fmt: skip
    assert done.status == "completed"
    plan = launcher.launched[0][2]
    assert [v["channel"] for v in plan["variants"]] == ["email"]  # the sms fails the tenant's rules now
    assert {s["channel"] for s in plan["plan"]["steps"]} == {"email"}


def test_the_tenants_rules_change_what_the_copywriter_passes(db: Database, seeded: str, deps: Deps) -> None:
    base = demo_rules()
    required = {**base.required_elements, "sms": ["ZQX-ONLY-IN-TEST"]}
    strict = base.model_copy(update={"version": "strict-drafts", "required_elements": required})
    store_content_rules(db, seeded, strict, source="test", actor="test")
    try:
        started = runs.start_canvas(db, seeded, "Lift LTV 20% in fintech SMBs", deps=deps)
    finally:
        store_content_rules(db, seeded, base.model_copy(update={"version": "back-drafts"}), source="test", actor="test")
    assert started.approval is not None
    passed = {v["channel"]: v["passed_guardrails"] for v in started.approval["variants"]}
    assert passed == {"email": True, "sms": False}  # with the packaged rules both pass (the test above)
