"""Run suites against the current graphs and models, store each run, and gate the newest runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from hyperjourney.evals import context, gate, splits, store
from hyperjourney.evals.results import EvalRun, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, Suite
from hyperjourney.monitoring import store as drift_store
from hyperjourney.monitoring import tenant_drift
from hyperjourney.monitoring.drift import DriftReport


def measure_drift(env: EvalEnv) -> DriftReport:
    """The tenant's drift now (before the suites add their golden rows), so every run carries the data it saw."""
    with env.db.tenant(env.tenant) as conn:
        return tenant_drift.measure(conn)


def run_suite(
    env: EvalEnv,
    suite: Suite,
    advance: Advance | None = None,
    *,
    drift: DriftReport | None = None,
    only: splits.Split | None = None,
) -> EvalRun:
    """Run one suite on each split present; the run, its items and the drift report are stored in one transaction.

    A splittable suite runs on its dev set and, when it has landed, its held-out set (see `splits`): metrics come
    back as ``<metric>.dev`` / ``<metric>.held_out`` with item counts, and the run records each split's hash.
    ``only`` runs one split (``dev`` while tuning, so the held-out set stays unread). Drift is measured here unless
    the caller measured it once for several suites (`run_suites`).
    """
    report = drift or measure_drift(env)
    started_at = datetime.now(UTC)
    ctx = context.collect(env, suite)
    step = advance or (lambda _n: None)
    parts = splits.splits_of(suite, only)
    results: dict[splits.Split, SuiteResult] = {}
    for split, split_suite in parts:
        result = split_suite.run(env, step)
        if result.suite != suite.name:
            raise ValueError(f"suite {suite.name!r} returned results labelled {result.suite!r}")
        results[split] = result
    if isinstance(suite, splits.SplitSuite):
        merged = splits.merge(suite.name, results)
        info = {split: splits.describe(s, results[split]) for split, s in parts}
        copies = splits.near_duplicate_check(suite.name, parts)
        merged.metrics |= {f"near_duplicates.{k}": float(len(v)) for k, v in copies.items()}
        ctx = ctx.model_copy(update={"splits": info, "near_duplicates": copies})
    else:
        merged = results[splits.DEV]
    ctx = ctx.model_copy(update={"judge": merged.judge, "metric_sources": merged.metric_sources})
    with env.db.tenant(env.tenant) as conn:
        return store.save(conn, merged, tier=env.tier, context=ctx, started_at=started_at, drift=report)


def run_suites(
    env: EvalEnv, suites: Sequence[Suite], advance: Callable[[Suite], Advance] | None = None
) -> list[EvalRun]:
    """Several suites with one drift measurement shared by all their runs."""
    report = measure_drift(env)
    return [run_suite(env, s, advance(s) if advance else None, drift=report) for s in suites]


class GateReport(BaseModel):
    checks: list[gate.Check]
    runs: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def warnings(self) -> list[gate.Check]:
        return [c for c in self.checks if c.warning]


def gate_latest(
    env: EvalEnv,
    suites: list[str] | None = None,
    *,
    thresholds: gate.Thresholds | None = None,
    committed: Callable[[], dict[str, dict[str, float]]] = gate.load_committed_baselines,
) -> GateReport:
    """Check the newest run of each gated suite against its limits and baseline."""
    limits = thresholds or gate.load_thresholds()
    chosen = suites or sorted(limits.suites)
    fallback = committed()
    checks: list[gate.Check] = []
    runs: dict[str, str] = {}
    with env.db.tenant(env.tenant) as conn:
        for suite in chosen:
            gates = limits.suites.get(suite)
            if gates is None:
                raise ValueError(f"suite {suite!r} has no gates in {gate.THRESHOLDS.name}")
            latest = store.history(conn, suite, limit=1)
            if not latest:
                checks.append(
                    gate.Check(
                        suite=suite, metric="*", value=None, baseline=None, ok=False, reason="no run of this suite yet"
                    )
                )
                continue
            runs[suite] = latest[0].run_id
            pinned = store.baseline(conn, suite)
            base = pinned.metrics if pinned is not None else fallback.get(suite)
            checks.extend(gate.check_suite(suite, latest[0].metrics, base, gates))
        drift = drift_store.latest_drift(conn)
    if drift is not None:
        checks.extend(gate.check_drift(drift, limits.drift))
    return GateReport(checks=checks, runs=runs)
