"""The copy suite drafts canvas copy for golden briefs and grades its grounding and banned claims."""

from __future__ import annotations

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner
from hyperjourney.evals.golden import load_copy_briefs
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.evals.suites.copy import CopySuite
from hyperjourney.graphs import runs
from hyperjourney.settings import get_settings


def test_canvas_copy_is_cited_grounded_and_free_of_banned_claims(db: Database, trained_kb_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=trained_kb_tenant, tier="small", settings=get_settings())
    run = runner.run_suite(env, CopySuite(limit=3))
    m = run.metrics
    assert m["briefs"] == 3
    assert m["banned_claim_violations"] == 0
    assert m["drafted_share"] == 1.0
    assert 0.5 <= m["citation_coverage"] <= 1.0
    assert 0.0 <= m["groundedness"] <= 1.0 and 0.0 <= m["context_recall"] <= 1.0
    assert "faithfulness" not in m  # no LLM judge on the small tier
    assert REGISTRY["copy"].size() == len(load_copy_briefs()) == 60
    recorded = [r for r in runs.list_runs(db, trained_kb_tenant, limit=500) if r.request.get("eval") == "copy"]
    assert len(recorded) >= 3
    view = runs.show_run(db, trained_kb_tenant, recorded[0].run_id)
    assert view.status == "completed" and {s.node for s in view.steps} == {"researcher", "copywriter"}
