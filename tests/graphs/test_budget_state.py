"""The budget a run spent is graph state: a resume with fresh dependencies (as in another process) still
counts it, so a spent budget keeps stopping escalation after the resume."""

from __future__ import annotations

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock, scripted_tiers


def test_the_budget_spent_before_a_resume_is_counted_after_it(db: Database, seeded: str, settings: Settings) -> None:
    tight = settings.model_copy(update={"budgets": settings.budgets.model_copy(update={"max_tokens_per_run": 300})})
    # no valid plan from the LLM (asked and re-asked): a person decides; an LLM's stated confidence would not count
    tiers, models = scripted_tiers(small=[{"kind": "bogus"}, {"kind": "bogus"}])
    first = build_deps(db, tight, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    started = runs.start_canvas(db, seeded, "banana", deps=first)
    models["llm-small"].assert_done()
    assert started.status == "awaiting_approval" and started.summary.tokens == 300

    fresh_tiers, fresh = scripted_tiers(small=[])  # any call to it would be an unexpected call
    second = build_deps(db, tight, tiers=fresh_tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    done = runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=second)
    assert fresh["llm-small"].calls == []  # the 300 tokens spent before the resume still count
    steps = runs.show_run(db, seeded, done.run_id).steps
    assert any("token budget exhausted" in (s.review_reason or "") for s in steps[1:]), steps
