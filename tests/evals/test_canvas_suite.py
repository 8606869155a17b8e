"""Marketer goals through the canvas, graded only by the independent graders (issue 16.2: CTA per goal kind,
business and product line, language)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals import runner, store
from hyperjourney.evals.golden import GoldenDataError
from hyperjourney.evals.suite import EvalEnv
from hyperjourney.evals.suites.canvas import CanvasSuite, load_canvas_goals
from hyperjourney.settings import get_settings


def test_goals_load_with_kinds_normalised_and_conditions_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "canvas_goals.yaml"
    path.write_text(
        "goals:\n"
        "  - {text: Win back lapsed runners before spring, business: goods, product_line: running shoes,"
        " goal_kind: Re-engagement, conditions: email only, language: en}\n"
        "  - {text: Get Team workspaces onto Business, business: boards, product_line: Business plan,"
        " goal_kind: upsell, conditions: {channel: email}, language: de}\n"
    )
    goals = load_canvas_goals(path)
    assert [(g.id, g.goal_kind, g.conditions) for g in goals] == [
        ("goal-001", "win_back", ["email only"]), ("goal-002", "upsell", ["channel: email"])]  # fmt: skip
    path.write_text(
        "goals:\n  - {text: Make it pop please, business: goods, product_line: socks, goal_kind: vibes, language: en}\n"
    )
    with pytest.raises(GoldenDataError, match="goal_kind"):
        load_canvas_goals(path)


def test_a_goal_runs_through_the_canvas_and_its_rendered_copy_is_graded(db: Database, trained_kb_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=trained_kb_tenant, tier="small", settings=get_settings())
    run = runner.run_suite(env, CanvasSuite(limit=1))
    m = {k.removesuffix(".dev"): v for k, v in run.metrics.items()}
    print(m)
    assert m["goals"] == 1 and m["drafted_share"] == 1.0
    assert {"cta_match", "business_match", "product_line_match", "language_match", "no_citation_markers"} <= set(m)
    assert m["no_citation_markers"] == 1.0 and m["language_match"] == 1.0
    with db.tenant(trained_kb_tenant) as conn:
        samples = dict(store.samples(conn, run.run_id))
    sample = samples["goal-001"]  # the dev goal; the held-out split adds its own first goal beside it
    assert sample["input"].startswith("Win back lapsed trail runners")
    assert "[cite:" not in sample["output"] and sample["cited"]
