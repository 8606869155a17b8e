"""The cost suite sums tokens, cost and latency of the agent runs the other suites made, and the router mix."""

from __future__ import annotations

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner, store
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.evals.suites.copilot import CopilotSuite
from hyperjourney.evals.suites.copy import CopySuite
from hyperjourney.settings import get_settings


def test_costs_come_from_the_agent_runs_of_the_newest_copilot_eval(db: Database, eval_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=eval_tenant, tier="small", settings=get_settings())
    copilot = runner.run_suite(env, CopilotSuite(limit=3))
    run = runner.run_suite(env, REGISTRY["cost"])
    m = run.metrics
    assert m["agent_runs"] >= 3
    # no LLM tier is configured: each decision that could escalate is taken by the small tier or goes to a person
    assert {k for k in m if k.startswith("router.")} == {"router.small", "router.human"}
    assert abs(sum(v for k, v in m.items() if k.startswith("router.")) - 1.0) < 1e-9
    assert m["tokens_per_success"] == 0 and m["cost_usd_per_success"] == 0  # the small tier spends nothing
    assert 0 < m["latency_p50_ms"] <= m["latency_p95_ms"]
    assert run.series["router mix"].kind == "bar" and run.series["latency per agent run"].kind == "hist"
    with db.tenant(eval_tenant) as conn:
        copilot_ids = {d["run_id"] for _, d in store.failed_items(conn, copilot.run_id, limit=100)}
        cost_items = conn.execute(
            "SELECT item_id, detail->>'suite' FROM eval_items WHERE run_id = %s", (run.run_id,)
        ).fetchall()
    assert {i for i, s in cost_items if s == "copilot"} >= copilot_ids
    with db.tenant(eval_tenant) as conn:
        kinds = conn.execute(
            "SELECT prompt_name = '', count(*) FROM agent_steps WHERE run_id = ANY(%s) GROUP BY 1",
            ([i for i, _ in cost_items],),
        ).fetchall()
    steps = {bool(tool): int(n) for tool, n in kinds}
    # each copilot ticket has two tool steps (the fixed route, the customer-context lookup) that can never escalate:
    # counted apart, not as small-tier decisions in the router mix
    assert m["tool_steps"] == steps[True] >= 2 * 3
    assert m["router_decisions"] == steps[False]


def test_canvas_runs_the_copy_eval_graded_and_rejected_count_as_delivered(db: Database, eval_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=eval_tenant, tier="small", settings=get_settings())
    copy = runner.run_suite(env, CopySuite(limit=1))
    run = runner.run_suite(env, REGISTRY["cost"])
    with db.tenant(eval_tenant) as conn:
        canvas_id = conn.execute(
            "SELECT detail->>'run_id' FROM eval_items WHERE run_id = %s", (copy.run_id,)
        ).fetchone()
        row = conn.execute(
            "SELECT passed, detail->>'status' FROM eval_items WHERE run_id = %s AND item_id = %s",
            (run.run_id, canvas_id[0] if canvas_id else None),
        ).fetchone()
    assert row is not None and row[1] == "rejected" and row[0] is True
