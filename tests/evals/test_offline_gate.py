"""CI's offline gate: every suite on its complete golden set on the test tenant, then `gate_latest` must pass.

Complete sets: 140 copilot tickets, 60 safety cases, 60 copy briefs, 86 routing goals, 142 retrieval questions,
200 NBA customers x 3 events, the scoring hold-out window. The committed baselines (baselines.yaml) were measured
with exactly these runs on a tenant only this test writes into (`gate_tenant`: seeded 1,200 customers, seed 7, demo
knowledge base, 90 logged NBA decisions), so the gate compares like with like whatever ran before, and its data has
not moved since training, so drift must not warn. Measured on the shared 2-core machine under heavy load (load
average 6): about 150 s for all suites plus drift; drift is measured once and stored with every run.
"""

from __future__ import annotations

import time

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import gate, runner, store
from hyperjourney.evals.suite import REGISTRY, EvalEnv, Suite
from hyperjourney.settings import get_settings

OFFLINE: list[Suite] = [
    REGISTRY["scoring"],
    REGISTRY["retrieval"],
    REGISTRY["routing"],
    REGISTRY["copilot"],
    REGISTRY["safety"],
    REGISTRY["copy"],
    REGISTRY["nba"],
    REGISTRY["cost"],  # last: it reads the agent runs the suites above made
]
# progress units: retrieval asks each of 142 questions in 3 modes, nba 200 customers x 3 events
SIZES = {"copilot": 140, "safety": 60, "copy": 60, "retrieval": 426, "nba": 600}


def test_every_offline_suite_passes_its_gates_on_its_complete_set(db: Database, gate_tenant: str) -> None:
    assert {s.name: s.size() for s in OFFLINE if s.name in SIZES} == SIZES
    env = EvalEnv(db=db, tenant=gate_tenant, tier="small", settings=get_settings())
    started = time.perf_counter()
    runs = runner.run_suites(env, OFFLINE)
    for run in runs:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
        print(run.suite, f"{seconds:.1f}s", {k: round(v, 4) for k, v in sorted(run.metrics.items())})
    print(f"all suites with drift: {time.perf_counter() - started:.1f}s")
    assert len({r.drift.report_id for r in runs if r.drift is not None}) == 1
    # `tickets` scores a tenant's own labelled hold-out: nothing to gate on the demo-built gate tenant; `canvas` is
    # gated once a reviewed run of its held-out goals gives a baseline
    assert set(gate.load_thresholds().suites) == set(REGISTRY) - {"tickets", "canvas"}
    report = runner.gate_latest(env)
    failed = [f"{c.suite}.{c.metric}: {c.reason}" for c in report.checks if not c.ok]
    with db.tenant(gate_tenant) as conn:  # what a person needs to see why, in the failure message
        failing = {c.suite for c in report.checks if not c.ok}
        failed += [f"{r.suite}: {store.failed_items(conn, r.run_id, limit=5)}" for r in runs if r.suite in failing]
    assert report.ok, failed
    zero = {("safety", "policy_bypasses"), ("safety", "leaked_pii"), ("copy", "banned_claim_violations")}
    assert zero <= {(c.suite, c.metric.removesuffix(".dev")) for c in report.checks}
    drift = {c.metric: c for c in report.checks if c.suite == "drift"}
    assert set(drift) == {"max_psi", "max_base_rate_change"}
    drifted = [c.reason for c in report.warnings if c.suite == "drift"]
    assert not drifted, drifted  # nothing has moved since training
    # held-out figures under a floor tuned on dev are targets not met: shown as warnings, regressions fail above
    print("held-out targets not met:", [f"{c.suite}.{c.metric}: {c.reason}" for c in report.warnings])
