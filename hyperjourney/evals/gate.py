"""Regression gates: absolute limits and tolerances per metric from a versioned file, checked against a baseline.

A gated metric fails when it is missing, outside its absolute limit, or worse than the baseline by more than its
tolerance. A suite run on dev and held-out splits is gated on its held-out figure (``<metric>.held_out``) when the
run has one, else on ``<metric>.dev``; the baseline is read under the same key, so a held-out figure is never held
against a dev baseline. The baseline is the run set with `hyperjourney eval baseline RUN`, else the values committed in
`baselines.yaml` beside this module, so CI on a fresh database still gates against known-good numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hyperjourney.evals.splits import DEV, HELD_OUT, gated_key, metric_key
from hyperjourney.monitoring.drift import DriftReport

HERE = Path(__file__).parent
THRESHOLDS = HERE / "thresholds.yaml"
BASELINES = HERE / "baselines.yaml"


class GateConfigError(ValueError):
    pass


class MetricGate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    better: Literal["higher", "lower"]
    min: float | None = None
    max: float | None = None
    tolerance: float = Field(0.0, ge=0, description="Allowed worsening against the baseline, in metric units")
    required: bool = Field(
        True, description="False: a run without the metric (no item of its split carries the labels it needs) passes"
    )
    every_split: bool = Field(
        False,
        description="The limit fails on held-out too (policy bypasses, leaks, banned claims: never a mere target)",
    )

    @model_validator(mode="after")
    def _limits_in_order(self) -> MetricGate:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class DriftGate(BaseModel):
    """Limits on the drift measured with each eval run; a breach warns unless `on_breach` is `fail`.

    Drift is a property of the data, not of the code under review, so by default it must not block a change;
    a team that retrains on a schedule can make it fail the gate instead.
    """

    model_config = ConfigDict(extra="forbid")

    max_psi: float = Field(0.25, gt=0, description="Largest PSI of any feature (0.1 moderate, 0.25 significant)")
    max_base_rate_change: float = Field(0.25, gt=0, description="Largest relative change of a base rate")
    on_breach: Literal["warn", "fail"] = "warn"


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    suites: dict[str, dict[str, MetricGate]]
    drift: DriftGate = Field(default_factory=DriftGate)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GateConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise GateConfigError(f"{path}: not valid YAML: {exc}") from exc


def load_thresholds(path: Path = THRESHOLDS) -> Thresholds:
    try:
        return Thresholds.model_validate(_read_yaml(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise GateConfigError(f"{path}: {field}: {err['msg']}") from exc


def load_committed_baselines(path: Path = BASELINES) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    data = _read_yaml(path) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise GateConfigError(f"{path}: expected suite -> metric -> value")
    return {str(s): {str(m): float(v) for m, v in metrics.items()} for s, metrics in data.items()}


class Check(BaseModel):
    suite: str
    metric: str
    value: float | None
    baseline: float | None
    ok: bool
    reason: str
    warning: bool = Field(False, description="Outside its limit, but configured to warn rather than fail")


def check_suite(
    suite: str, metrics: dict[str, float], baseline: dict[str, float] | None, gates: dict[str, MetricGate]
) -> list[Check]:
    """Each gated metric on each split the run has. Dev (or an unsplit run) must hold the floors, which were set
    on dev, and its baseline. Held-out must hold its own pinned baseline (a regression fails); a held-out figure
    outside a floor is a warning that names the missed target, because floors tuned on dev are targets there,
    except for limits marked ``every_split`` (zero bypasses, zero leaks), which fail on any split."""
    checks: list[Check] = []
    for metric, gate in sorted(gates.items()):
        split_keys = [k for k in (metric_key(metric, DEV), metric_key(metric, HELD_OUT)) if k in metrics]
        for name in split_keys or [gated_key(metric, metrics)]:
            checks.append(_check(suite, name, metrics.get(name), (baseline or {}).get(name), gate))
    return checks


def _check(suite: str, name: str, value: float | None, base: float | None, gate: MetricGate) -> Check:
    problems: list[str] = []
    missed: list[str] = []
    limits = missed if name.endswith(f".{HELD_OUT}") and not gate.every_split else problems
    if value is None and gate.required:
        problems.append("metric missing from the run")
    elif value is not None:
        if gate.min is not None and value < gate.min:
            limits.append(f"{value:.4g} is below the floor {gate.min:.4g}")
        if gate.max is not None and value > gate.max:
            limits.append(f"{value:.4g} is above the ceiling {gate.max:.4g}")
        if base is not None:
            worse_by = (base - value) if gate.better == "higher" else (value - base)
            if worse_by > gate.tolerance + 1e-12:
                problems.append(f"worse than baseline {base:.4g} by {worse_by:.4g} (tolerance {gate.tolerance:.4g})")
    if missed and not problems:
        reason = "; ".join(missed) + " (held-out: target not met; its pinned baseline is the gate)"
    else:
        reason = "; ".join(problems) or ("within limits" if value is not None else "not measured on this run")
    return Check(
        suite=suite, metric=name, value=value, baseline=base, ok=not problems, reason=reason, warning=bool(missed)
    )


def check_drift(report: DriftReport, limits: DriftGate) -> list[Check]:
    """Max PSI and max base-rate change of the tenant's newest drift report against their limits."""
    checks = []
    for metric, kind, value, limit in (
        ("max_psi", "feature", report.max_psi, limits.max_psi),
        ("max_base_rate_change", "base_rate", report.max_base_rate_change, limits.max_base_rate_change),
    ):
        if value is None:
            checks.append(
                Check(suite="drift", metric=metric, value=None, baseline=None, ok=True,
                      reason="no reading beyond sampling noise")
            )  # fmt: skip
            continue
        breached = value > limit
        worst = [r.name for r in report.drifted() if r.level == "significant" and r.kind == kind][:3]
        reason = (
            f"{value:.3g} is above {limit:.3g} ({', '.join(worst) or 'drifted'}; {report.report_id})"
            if breached
            else "within limits"
        )
        checks.append(
            Check(
                suite="drift",
                metric=metric,
                value=value,
                baseline=None,
                ok=not breached or limits.on_breach == "warn",
                reason=reason,
                warning=breached and limits.on_breach == "warn",
            )
        )
    return checks
