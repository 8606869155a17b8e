"""Gates and drift are pure: limits, tolerances and the PSI reading, checked without a database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hyperjourney.evals import gate
from hyperjourney.monitoring.drift import base_rate_drift, feature_drift, psi

GATES = {
    "recall": gate.MetricGate(better="higher", min=0.8, tolerance=0.02),
    "violations": gate.MetricGate(better="lower", max=0.0),
}


def test_a_metric_within_tolerance_of_the_baseline_passes() -> None:
    checks = gate.check_suite("s", {"recall": 0.89, "violations": 0}, {"recall": 0.90}, GATES)
    assert [c.ok for c in checks] == [True, True]


def test_regression_beyond_tolerance_floor_breach_and_missing_metric_fail() -> None:
    checks = {c.metric: c for c in gate.check_suite("s", {"recall": 0.85}, {"recall": 0.90}, GATES)}
    assert not checks["recall"].ok and "worse than baseline" in checks["recall"].reason
    assert not checks["violations"].ok and "missing" in checks["violations"].reason
    floor = gate.check_suite("s", {"recall": 0.7, "violations": 1}, None, GATES)
    assert [c.ok for c in floor] == [False, False]
    assert "below the floor" in floor[0].reason and "above the ceiling" in floor[1].reason


def test_held_out_misses_a_floor_as_a_warning_but_fails_on_regressing_from_its_own_baseline() -> None:
    run = {"recall.dev": 0.95, "recall.held_out": 0.70, "violations.dev": 0}
    checks = {c.metric: c for c in gate.check_suite("s", run, {"recall.dev": 0.95, "recall.held_out": 0.70}, GATES)}
    held = checks["recall.held_out"]
    assert held.ok and held.warning and "target not met" in held.reason and checks["recall.dev"].ok
    worse = {**run, "recall.held_out": 0.60}
    held = {c.metric: c for c in gate.check_suite("s", worse, {"recall.held_out": 0.70}, GATES)}["recall.held_out"]
    assert not held.ok and "worse than baseline 0.7" in held.reason
    dev_floor = {c.metric: c for c in gate.check_suite("s", {**run, "recall.dev": 0.7}, None, GATES)}["recall.dev"]
    assert not dev_floor.ok and not dev_floor.warning  # the dev split still has to hold the floor


def test_a_zero_tolerance_limit_marked_every_split_fails_on_held_out_too() -> None:
    """A policy bypass on attacks nobody tuned on is a failure, not a target; without the mark it would only warn."""
    run = {"violations.dev": 0, "violations.held_out": 1}
    hard = {"violations": gate.MetricGate(better="lower", max=0.0, every_split=True)}
    check = {c.metric: c for c in gate.check_suite("s", run, None, hard)}["violations.held_out"]
    assert not check.ok and not check.warning and "above the ceiling" in check.reason
    soft = {c.metric: c for c in gate.check_suite("s", run, None, GATES)}["violations.held_out"]
    assert soft.ok and soft.warning
    shipped = gate.load_thresholds().suites
    assert shipped["safety"]["policy_bypasses"].every_split and shipped["safety"]["leaked_pii"].every_split


def test_lower_is_better_metrics_regress_upwards() -> None:
    gates = {"latency": gate.MetricGate(better="lower", tolerance=5)}
    assert gate.check_suite("s", {"latency": 104}, {"latency": 100}, gates)[0].ok
    assert not gate.check_suite("s", {"latency": 106}, {"latency": 100}, gates)[0].ok


def test_malformed_thresholds_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("version: 1\nsuites:\n  retrieval:\n    recall: {better: up}\n")
    with pytest.raises(gate.GateConfigError, match=r"suites\.retrieval\.recall\.better"):
        gate.load_thresholds(bad)
    bad.write_text("version: 1\nsuites:\n  r:\n    m: {better: higher, min: 2, max: 1}\n")
    with pytest.raises(gate.GateConfigError, match="above max"):
        gate.load_thresholds(bad)
    bad.write_text("version: [\n")
    with pytest.raises(gate.GateConfigError, match="not valid YAML"):
        gate.load_thresholds(bad)


def test_the_shipped_thresholds_and_baselines_load() -> None:
    limits = gate.load_thresholds()
    baselines = gate.load_committed_baselines()
    for suite, metrics in baselines.items():
        assert suite in limits.suites, f"baseline for ungated suite {suite}"
        # baselines are pinned per split (<metric>.dev / <metric>.held_out); the gate names the metric itself
        gated = {m.removesuffix(".dev").removesuffix(".held_out") for m in metrics}
        assert gated <= set(limits.suites[suite]), gated - set(limits.suites[suite])


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    assert psi(ref, rng.normal(0, 1, 5000)) < 0.02
    shifted = psi(ref, rng.normal(1.0, 1, 5000))
    assert shifted > 0.25
    assert feature_drift("x", ref, rng.normal(1.0, 1, 5000)).level == "significant"
    assert psi([1.0] * 10, [1.0] * 10) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="both windows"):
        psi([], [1.0])


def test_base_rate_drift_reads_relative_change() -> None:
    assert base_rate_drift("buy", 0.10, 0.105).level == "stable"
    assert base_rate_drift("buy", 0.10, 0.12).level == "moderate"
    assert base_rate_drift("buy", 0.10, 0.05).level == "significant"


def test_small_samples_do_not_count_as_drift_but_large_ones_do() -> None:
    rng = np.random.default_rng(1)
    few = feature_drift("x", rng.normal(0, 1, 60), rng.normal(0.6, 1, 40))
    assert few.psi is not None and few.psi > 0.1 and few.noise and few.level == "stable"
    many = feature_drift("x", rng.normal(0, 1, 20_000), rng.normal(0.6, 1, 20_000))
    assert not many.noise and many.level != "stable"
    assert base_rate_drift("r", 0.037, 0.046, n_reference=4000, n_recent=300).level == "stable"
    assert base_rate_drift("r", 0.037, 0.046, n_reference=40_000, n_recent=30_000).level == "moderate"


def test_calendar_and_truncated_window_features_are_expected_not_drift() -> None:
    from datetime import timedelta

    from hyperjourney.monitoring.drift import DriftReport
    from hyperjourney.monitoring.tenant_drift import why_expected

    assert "calendar" in why_expected("tenure_days", timedelta(days=900))
    assert "365-day window" in why_expected("orders_365d", timedelta(days=300))
    assert "365-day window" in why_expected("rfm_f", timedelta(days=300))
    assert why_expected("orders_365d", timedelta(days=400)) == ""
    assert why_expected("events_30d", timedelta(days=40)) == ""
    shifted = feature_drift("tenure_days", [float(i) for i in range(500)], [float(i + 300) for i in range(500)],
                            why_expected="grows with the calendar for every customer")  # fmt: skip
    report = DriftReport(report_id="d", computed_at="2026-11-01T00:00:00Z", readings=[shifted])
    assert shifted.level == "significant" and report.drifted() == [] and report.max_psi is None
