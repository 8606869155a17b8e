"""The demo's simulation on a small tenant: journeys run live, outcomes flow back, readouts come out."""

from __future__ import annotations

import json
from pathlib import Path

from hyperjourney.channels.adapters import FileSinkAdapter
from hyperjourney.db.database import Database
from hyperjourney.experiments.readout import readout
from hyperjourney.experiments.simulate import already_simulated, simulate
from hyperjourney.monitoring import store
from hyperjourney.monitoring.drift import DriftReport, base_rate_drift
from tests.actions_fixtures import T0, add_customers
from tests.cli_runner import invoke


def test_simulation_feeds_the_readout(db: Database, tenant: str, tmp_path: Path) -> None:
    add_customers(db, tenant, [f"s{i}" for i in range(60)], marketing=("email",))
    add_customers(db, tenant, [f"p{i}" for i in range(20)], attributes=json.dumps({"team_name": "T", "plan": "free"}))
    add_customers(db, tenant, [f"b{i}" for i in range(20)], account_id="acct-1")
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO products (tenant_id, product_id, name, category, price, margin, inventory) "
            "VALUES (current_tenant(), 'p1', 'Stratus', 'running_shoes', 120, 0.4, 10)"
        )
    sink = FileSinkAdapter(tmp_path / "sink.jsonl", "any")
    adapters = {ch: sink for ch in ("email", "sms", "push", "in_app", "webhook")}
    assert not already_simulated(db, tenant)
    report = simulate(db, tenant, adapters, start=T0, days=3, carts_per_day=25, step_hours=4)  # type: ignore[arg-type]
    assert already_simulated(db, tenant)
    assert report.triggers > 80 and report.runner.enrolled > 20 and report.delivered > 10
    assert report.nba_decisions > 0 and report.outcomes
    r = readout(db, tenant, "cart-abandon")
    assert r.enrolled + r.holdout > 20 and r.summary.startswith("Cart abandonment rescue:")
    code, out = invoke("journeys", "readout", "cart-abandon", "-t", tenant)
    assert code == 0 and "guardrail unsubscribe rate" in out and "Next:" in out
    code, out = invoke("journeys", "readout", "nope", "-t", tenant)
    assert code == 1 and "no journey 'nope'" in out
    assert r.drift_warnings == [] and "drift" not in r.summary
    churn = base_rate_drift("churn base rate", 0.041, 0.063, "since training", n_reference=9000, n_recent=3000)
    with db.tenant(tenant) as conn:
        store.save_drift(conn, DriftReport(report_id="drift-t", computed_at=T0, readings=[churn]))
    drifted = readout(db, tenant, "cart-abandon")
    assert drifted.drift_warnings == [
        "churn base rate moved 4.1% → 6.3% since training; scores and sized lifts may be off"
    ]
    assert "Data drift since the models trained: churn base rate moved 4.1% → 6.3%" in drifted.summary
