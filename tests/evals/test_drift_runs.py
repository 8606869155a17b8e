"""Drift is measured with every eval run, stored with it, printed, reported, compared and gated (warn by default)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals import gate, runner, store
from hyperjourney.evals.compare import compare
from hyperjourney.evals.results import RunContext, SuiteResult
from hyperjourney.evals.suite import REGISTRY, Advance, EvalEnv
from hyperjourney.monitoring import store as drift_store
from hyperjourney.monitoring.drift import DriftReport, base_rate_drift, feature_drift
from hyperjourney.monitoring.tenant_drift import measure
from hyperjourney.settings import get_settings
from tests.cli_runner import invoke


@dataclass
class ProbeSuite:
    """A constant suite: these tests are about the drift each run carries, not about the metrics."""

    dataset: Path
    name: str = "driftprobe"
    description: str = "test suite"

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def size(self) -> int:
        return 1

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        advance(1)
        return SuiteResult(suite=self.name, metrics={"score": 1.0})


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[ProbeSuite]:
    data = tmp_path / "probe.yaml"
    data.write_text("items: [a]\n")
    suite = ProbeSuite(dataset=data)
    REGISTRY[suite.name] = suite
    yield suite
    del REGISTRY[suite.name]


def test_a_steady_tenant_raises_no_alert_and_a_churn_wave_does(
    db: Database, steady_tenant: str, shifted_tenant: str
) -> None:
    with db.tenant(steady_tenant) as conn:
        steady = measure(conn)
    with db.tenant(shifted_tenant) as conn:
        shifted = measure(conn)
    assert len(steady.models) == len(shifted.models) == 3 and "training window" in steady.reference
    assert steady.alerts() == [], steady.warnings()
    assert steady.max_psi is not None and steady.max_psi < 0.25
    tenure = next(r for r in steady.readings if r.name == "tenure_days")
    assert tenure.expected and "calendar" in tenure.why_expected  # shown, not counted
    churn = next(r for r in shifted.readings if r.name == "churn base rate")
    assert churn.level == "significant" and churn.recent is not None and churn.reference is not None
    assert churn.recent > churn.reference * 1.5
    assert shifted.max_psi is not None and shifted.max_psi > 0.25
    assert any(r.name in ("recency_days", "events_7d", "events_30d") for r in shifted.alerts() if r.kind == "feature")
    assert shifted.warnings()[0].startswith("churn base rate moved ")
    assert "since training" in shifted.warnings()[0]


def test_a_tenant_without_events_gets_a_note_not_an_error(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        report = measure(conn)
    assert report.readings == [] and "no events" in report.note


def test_eval_run_stores_prints_reports_and_gates_drift(
    db: Database, shifted_tenant: str, probe: ProbeSuite, tmp_path: Path
) -> None:
    code, out = invoke("eval", "run", "--suite", probe.name, "--tenant", shifted_tenant)
    assert code == 0, out
    assert "drift ·" in out and "churn base rate" in out and "drift warning max_psi" in out
    with db.tenant(shifted_tenant) as conn:
        run = store.history(conn, probe.name)[0]
        latest = drift_store.latest_drift(conn)
    assert run.drift is not None and latest is not None and latest.report_id == run.drift.report_id
    assert run.drift.max_psi is not None and run.drift.max_psi > 0.25

    env = EvalEnv(db=db, tenant=shifted_tenant, tier="small", settings=get_settings())
    suites = {probe.name: {"score": gate.MetricGate(better="higher")}}
    warned = runner.gate_latest(env, [probe.name], thresholds=gate.Thresholds(version=2, suites=suites))
    assert warned.ok and {c.metric for c in warned.warnings} >= {"max_psi", "max_base_rate_change"}
    strict = gate.Thresholds(version=2, suites=suites, drift=gate.DriftGate(on_breach="fail"))
    failed = runner.gate_latest(env, [probe.name], thresholds=strict)
    assert not failed.ok and any(c.suite == "drift" and not c.ok for c in failed.checks)

    page = tmp_path / "r.html"
    code, out = invoke("eval", "report", run.run_id, "--out", str(page), "--tenant", shifted_tenant)
    assert code == 0, out
    assert "drift (" in out and "churn base rate moved" in out
    html = page.read_text()
    assert "drift: PSI per feature" in html and "churn base rate moved" in html


def test_runs_of_one_invocation_share_one_drift_report(db: Database, steady_tenant: str, probe: ProbeSuite) -> None:
    env = EvalEnv(db=db, tenant=steady_tenant, tier="small", settings=get_settings())
    first, second = runner.run_suites(env, [probe, probe])
    assert first.drift is not None and second.drift is not None
    assert first.drift.report_id == second.drift.report_id
    with db.tenant(steady_tenant) as conn:
        n = conn.execute("SELECT count(*) FROM drift_reports WHERE report_id = %s", (first.drift.report_id,))
        assert n.fetchone() == (1,)
    assert compare(first, second).drift == [] and "share drift report" in compare(first, second).drift_note


def _report(report_id: str, churn_recent: float, recency_shift: float) -> DriftReport:
    readings = [
        base_rate_drift("churn base rate", 0.2, churn_recent, "since training", n_reference=5000, n_recent=2000),
        feature_drift("recency_days", [float(i % 50) for i in range(2000)],
                      [float(i % 50) + recency_shift for i in range(2000)], "since training"),
    ]  # fmt: skip
    return DriftReport(report_id=report_id, computed_at=datetime.now(UTC), readings=readings)


def test_compare_names_the_readings_whose_drift_changed(db: Database, tenant: str) -> None:
    ctx = RunContext(code_version="x", dataset="d")
    with db.tenant(tenant) as conn:
        a = store.save(
            conn,
            SuiteResult(suite="s", metrics={"m": 1.0}),
            tier="small",
            context=ctx,
            started_at=datetime.now(UTC),
            drift=_report("drift-a", 0.2, 0.0),
        )
        b = store.save(
            conn,
            SuiteResult(suite="s", metrics={"m": 1.0}),
            tier="small",
            context=ctx,
            started_at=datetime.now(UTC),
            drift=_report("drift-b", 0.32, 20.0),
        )
    result = compare(a, b)
    assert {d.name for d in result.drift} == {"churn base rate", "recency_days"}
    assert "stable" in result.drift[0].describe() and "significant" in result.drift[0].describe()
    code, out = invoke("eval", "compare", a.run_id, b.run_id, "--tenant", tenant)
    assert code == 0, out
    assert "drift changes" in out and "churn base rate" in out and "drifted readings 0 → 2" in out


def test_eval_drift_measures_and_stores_a_report(db: Database, steady_tenant: str) -> None:
    code, out = invoke("eval", "drift", "--tenant", steady_tenant)
    assert code == 0, out
    assert "churn base rate" in out and "past the stable band" in out
    with db.tenant(steady_tenant) as conn:
        latest = drift_store.latest_drift(conn)
    assert latest is not None and latest.alerts() == []
