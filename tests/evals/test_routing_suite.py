"""Canvas goal routing: the small-tier router on held-out goals, and the held-out goals really are held out."""

from __future__ import annotations

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner, store
from hyperjourney.evals.golden import load_copy_briefs
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.evals.suites.copy import canvas_goal
from hyperjourney.evals.suites.routing import load_routing_goals, route
from hyperjourney.models import intent_router
from hyperjourney.settings import get_settings
from tests.cli_runner import invoke


def _normal(text: str) -> str:
    return " ".join(intent_router.content_words(text))


def test_the_routing_golden_set_shares_no_goal_with_the_training_examples_or_the_copy_briefs() -> None:
    trained = {_normal(t) for ts in intent_router.examples().values() for t in ts}
    golden = {_normal(g.text) for g in load_routing_goals()}
    briefs = {_normal(b.goal) for b in load_copy_briefs()} | {_normal(canvas_goal(b)) for b in load_copy_briefs()}
    assert not golden & trained and not briefs & trained and not golden & briefs
    kinds = {g.expect for g in load_routing_goals()}
    assert kinds == {"campaign", "insight", "copy", "person"} and len(golden) >= 80


def test_routing_suite_measures_accuracy_and_sends_nonsense_to_a_person(db: Database, tenant: str) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    run = runner.run_suite(env, REGISTRY["routing"])
    m = run.metrics
    assert m["goals"] == len(load_routing_goals())
    assert m["accuracy"] >= 0.9 and m["person_recall"] == 1.0 and m["confidently_wrong_share"] <= 0.05
    assert min(m["campaign_recall"], m["insight_recall"], m["copy_recall"]) >= 0.8
    threshold = get_settings().router.confidence_threshold
    assert route("banana", threshold)[0] == "person"
    assert route("Write a short SMS about the weekend sale for loyalty members", threshold)[0] == "copy"
    assert route("Which stores had the most returns last month", threshold)[0] == "insight"
    assert route("Get trial users at law firms to book a demo", threshold)[0] == "campaign"


def test_cli_runs_the_routing_suite_and_reports_sources_and_the_judge(db: Database, tenant: str) -> None:
    code, out = invoke("eval", "run", "--suite", "routing", "--tenant", tenant)
    assert code == 0, out
    assert "accuracy" in out and "person_recall" in out and "no LLM judge" in out
    with db.tenant(tenant) as conn:
        run_id = store.history(conn, "routing")[0].run_id
    code, out = invoke("eval", "report", run_id, "--tenant", tenant)
    assert code == 0 and "| metric | value | source |" in out and "no LLM judge" in out
