"""Runs are stored per tenant, compared by what changed, gated against baselines and reported, through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.evals import gate, runner, store
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import REGISTRY, Advance, EvalEnv
from hyperjourney.settings import get_settings
from tests.cli_runner import invoke


@dataclass
class CountingSuite:
    """A suite whose score is whatever the test sets, so gates and comparisons have something to see."""

    dataset: Path
    score: float = 0.9
    name: str = "counting"
    description: str = "test suite"
    calls: list[int] = field(default_factory=list)

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def size(self) -> int:
        return 2

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        self.calls.append(1)
        advance(2)
        return SuiteResult(
            suite=self.name,
            metrics={"score": self.score},
            items=[
                ItemResult(item_id="a", passed=True, scores={"score": 1.0}),
                ItemResult(item_id="b", passed=False, detail={"why": "cited chunk lacks the number 42"}),
            ],
            series={"calibration": Series(kind="line", x=[0.1, 0.5, 0.9], y=[0.12, 0.48, 0.85])},
        )


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[CountingSuite]:
    data = tmp_path / "golden.yaml"
    data.write_text("items: [a, b]\n")
    s = CountingSuite(dataset=data)
    REGISTRY[s.name] = s
    yield s
    del REGISTRY[s.name]


GATES = gate.Thresholds(version=1, suites={"counting": {"score": gate.MetricGate(better="higher", tolerance=0.05)}})


def test_a_run_is_stored_with_items_and_audited(db: Database, tenant: str, suite: CountingSuite) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    run = runner.run_suite(env, suite)
    with db.tenant(tenant) as conn:
        again = store.load(conn, run.run_id)
        assert again.metrics == {"score": 0.9}
        assert again.series["calibration"].y == [0.12, 0.48, 0.85]
        assert store.failed_items(conn, run.run_id) == [("b", {"why": "cited chunk lacks the number 42"})]
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
        assert "eval_run" in actions


def test_runs_stay_inside_their_tenant(db: Database, make_tenant, suite: CountingSuite) -> None:  # type: ignore[no-untyped-def]
    a, b = make_tenant("ea"), make_tenant("eb")
    run = runner.run_suite(EvalEnv(db=db, tenant=a, tier="small", settings=get_settings()), suite)
    with db.tenant(b) as conn:
        assert store.history(conn) == []
        with pytest.raises(store.UnknownRunError):
            store.load(conn, run.run_id)


def test_gate_uses_the_pinned_baseline_then_the_committed_one(db: Database, tenant: str, suite: CountingSuite) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    report = runner.gate_latest(env, ["counting"], thresholds=GATES, committed=dict)
    assert not report.ok and report.checks[0].reason == "no run of this suite yet"
    first = runner.run_suite(env, suite)
    suite.score = 0.80
    runner.run_suite(env, suite)
    committed = {"counting": {"score": 0.82}}
    assert runner.gate_latest(env, ["counting"], thresholds=GATES, committed=lambda: committed).ok
    with db.tenant(tenant) as conn:
        store.set_baseline(conn, first.run_id)
    pinned = runner.gate_latest(env, ["counting"], thresholds=GATES, committed=lambda: committed)
    assert not pinned.ok and pinned.checks[0].baseline == 0.9


def test_cli_compare_gate_report_and_drift(db: Database, tenant: str, suite: CountingSuite, tmp_path: Path) -> None:
    code, out = invoke("eval", "run", "--suite", "counting", "--tenant", tenant)
    assert code == 0, out
    with db.tenant(tenant) as conn:
        first = store.history(conn, "counting")[0].run_id
    suite.dataset.write_text("items: [a, b, c]\n")
    suite.score = 0.5
    code, out = invoke("eval", "run", "--suite", "counting", "--tenant", tenant)
    assert code == 0 and "0.5" in out
    with db.tenant(tenant) as conn:
        second = store.history(conn, "counting")[0].run_id
    code, out = invoke("eval", "compare", first, second, "--tenant", tenant)
    assert code == 0 and "dataset" in out and "-0.4" in out
    code, out = invoke("eval", "baseline", first, "--tenant", tenant)
    assert code == 0
    html = tmp_path / "r.html"
    code, out = invoke("eval", "report", second, "--out", str(html), "--tenant", tenant)
    assert code == 0 and "| score | 0.5 |" in out
    page = html.read_text()
    assert page.count("<svg") >= 2 and "cited chunk lacks the number 42" in page
    code, out = invoke("eval", "compare", first, "nope", "--tenant", tenant)
    assert code == 1 and "no eval run 'nope'" in out
    code, out = invoke("eval", "run", "--suite", "nope", "--tenant", tenant)
    assert code == 1 and "unknown suite" in out
    code, out = invoke("eval", "drift", "--tenant", tenant)
    assert code == 1 and "no events" in out
    seed(db, tenant, customers=300, events=4000, tickets=10)
    code, out = invoke("eval", "drift", "--tenant", tenant)
    assert code == 0 and "order value" in out and "buyer rate" in out
