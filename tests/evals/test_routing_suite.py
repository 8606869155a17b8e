"""Canvas goal routing: the small-tier router on held-out goals, and the held-out goals really are held out."""

from __future__ import annotations

from pathlib import Path

import pytest

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner, store
from hyperjourney.evals.golden import load_copy_briefs
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.evals.suites.copy import canvas_goal
from hyperjourney.evals.suites.routing import load_routing_goals, route
from hyperjourney.models import intent_router
from hyperjourney.settings import Settings, get_settings
from tests.cli_runner import invoke
from tests.evals.test_ragas_judge import judged_settings
from tests.openai_stub import openai_stub


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
    m = {k.removesuffix(".dev"): v for k, v in run.metrics.items()}  # the dev split
    assert m["goals"] == len(load_routing_goals())
    assert m["accuracy"] >= 0.9 and m["person_recall"] == 1.0 and m["confidently_wrong_share"] <= 0.05
    assert min(m["campaign_recall"], m["insight_recall"], m["copy_recall"]) >= 0.8
    assert m["route_calibration_error"] < 0.1  # the calibrated confidence says how often the plan is right
    curve = run.series["calibration: route confidence"]
    assert curve.kind == "line" and len(curve.x) == len(curve.y) >= 2
    assert m["decided_by.small"] + m.get("decided_by.human", 0.0) == 1.0  # no LLM tier on the small eval tier
    deps = eval_deps(env)
    assert route(deps, tenant, "banana") == ("person", "human")
    assert route(deps, tenant, "Write a short SMS about the weekend sale for loyalty members") == ("copy", "small")
    assert route(deps, tenant, "Which stores had the most returns last month") == ("insight", "small")
    assert route(deps, tenant, "Get trial users at law firms to book a demo") == ("campaign", "small")


def test_cli_runs_the_routing_suite_and_reports_sources_and_the_judge(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    code, out = invoke("eval", "run", "--suite", "routing", "--tenant", tenant)
    assert code == 0, out
    assert "accuracy" in out and "person_recall" in out and "no LLM judge" in out
    with db.tenant(tenant) as conn:
        run_id = store.history(conn, "routing")[0].run_id
    code, out = invoke("eval", "report", run_id, "--out", str(tmp_path / "r.html"), "--tenant", tenant)
    assert code == 0 and "| metric | dev | held-out | gap (held-out - dev) | source |" in out and "no LLM judge" in out
    assert "| accuracy |" in out and "held-out: pending" not in out  # the held-out goals have landed


def test_at_an_llm_tier_the_goals_the_router_is_unsure_of_go_to_the_llm(
    db: Database, tenant: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub() as server:
        env = EvalEnv(db=db, tenant=tenant, tier="llm-small", settings=judged_settings(settings, server))
        result = REGISTRY["routing"].run(env, lambda _n: None)
    m = result.metrics
    assert 0 < m["decided_by.llm-small"] < 0.2 and m["decided_by.small"] > 0.8
    assert len(server.requests) == round(m["decided_by.llm-small"] * m["goals"])
    banana = next(i for i in result.items if i.detail["goal"] == "banana")
    assert banana.detail["tier"] == "llm-small" and banana.detail["got"] == "campaign"  # the stub's schema default
