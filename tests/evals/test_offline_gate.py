"""CI's offline gate: every suite that runs without a network on the test tenant, then `gate_latest` must pass.

The agent-flow suites run subsets here (the sizes below); their committed baselines were measured with the same
subsets on this tenant (seeded 1,200 customers, seed 7, demo knowledge base), so the gate compares like with like.
"""

from __future__ import annotations

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import gate, runner
from hyperjourney.evals.suite import REGISTRY, EvalEnv, Suite
from hyperjourney.evals.suites.copilot import CopilotSuite
from hyperjourney.evals.suites.copy import CopySuite
from hyperjourney.evals.suites.nba import NbaSuite
from hyperjourney.evals.suites.safety import SafetySuite
from hyperjourney.settings import get_settings

OFFLINE: list[Suite] = [
    REGISTRY["scoring"],
    REGISTRY["retrieval"],
    REGISTRY["routing"],
    CopilotSuite(limit=12),
    SafetySuite(limit=12),
    CopySuite(limit=4),
    NbaSuite(customers=30),
    REGISTRY["cost"],  # last: it reads the agent runs the suites above made
]


def test_every_offline_suite_passes_its_gates(db: Database, eval_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=eval_tenant, tier="small", settings=get_settings())
    for suite in OFFLINE:
        run = runner.run_suite(env, suite)
        print(suite.name, {k: round(v, 4) for k, v in sorted(run.metrics.items())})
    assert set(gate.load_thresholds().suites) == set(REGISTRY)
    report = runner.gate_latest(env)
    failed = [f"{c.suite}.{c.metric}: {c.reason}" for c in report.checks if not c.ok]
    assert report.ok, failed
    zero = {("safety", "policy_bypasses"), ("safety", "leaked_pii"), ("copy", "banned_claim_violations")}
    assert zero <= {(c.suite, c.metric) for c in report.checks}
