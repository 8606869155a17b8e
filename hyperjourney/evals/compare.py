"""What changed between two runs: metric deltas, and the context keys (prompts, models, policies, data) that differ."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from hyperjourney.evals.results import EvalRun
from hyperjourney.monitoring.drift import DriftReading, DriftReport

PSI_CHANGE = 0.05  # smaller moves of a PSI or base-rate change between two runs are noise, not news


class MetricDelta(BaseModel):
    metric: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


class ContextChange(BaseModel):
    key: str
    a: Any
    b: Any


class DriftChange(BaseModel):
    """A drift reading whose level changed, or whose PSI moved by at least PSI_CHANGE, between two runs."""

    name: str
    kind: str
    a: DriftReading | None
    b: DriftReading | None

    def describe(self) -> str:
        def side(r: DriftReading | None) -> str:
            if r is None:
                return "not measured"
            value = f"PSI {r.psi:.3f}" if r.psi is not None else f"rate {r.recent or 0:.1%}"
            return f"{value} ({r.level})"

        return f"{side(self.a)} → {side(self.b)}"


class Comparison(BaseModel):
    a: str
    b: str
    metrics: list[MetricDelta]
    changes: list[ContextChange]
    drift: list[DriftChange] = []
    drift_note: str = ""


def _flatten(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    return {prefix: value}


def compare(a: EvalRun, b: EvalRun) -> Comparison:
    if a.suite != b.suite:
        raise ValueError(f"runs are of different suites ({a.suite} vs {b.suite}); compare runs of one suite")
    names = sorted(set(a.metrics) | set(b.metrics))
    metrics = [MetricDelta(metric=n, a=a.metrics.get(n), b=b.metrics.get(n)) for n in names]
    flat_a = _flatten("", a.context.model_dump()) | {"tier": a.tier}
    flat_b = _flatten("", b.context.model_dump()) | {"tier": b.tier}
    changes = [
        ContextChange(key=k, a=flat_a.get(k), b=flat_b.get(k))
        for k in sorted(set(flat_a) | set(flat_b))
        if flat_a.get(k) != flat_b.get(k)
    ]
    drift, note = drift_changes(a.drift, b.drift)
    return Comparison(a=a.run_id, b=b.run_id, metrics=metrics, changes=changes, drift=drift, drift_note=note)


def _size(r: DriftReading) -> float:
    """PSI of a feature, relative change of a base rate: both read on the same 0.1 / 0.25 bands."""
    return (r.psi if r.kind == "feature" else r.change) or 0.0


def drift_changes(a: DriftReport | None, b: DriftReport | None) -> tuple[list[DriftChange], str]:
    """Readings that moved between the two runs' drift reports, and a one-line summary."""
    if a is None or b is None:
        return [], "drift was not measured with " + ("either run" if a is None and b is None else "one of the runs")
    if a.report_id == b.report_id:
        return [], f"both runs share drift report {a.report_id}"
    old = {(r.kind, r.name): r for r in a.readings}
    new = {(r.kind, r.name): r for r in b.readings}
    moved = []
    for key in sorted(set(old) | set(new)):
        ra, rb = old.get(key), new.get(key)
        if ra is None or rb is None or ra.level != rb.level or abs(_size(rb) - _size(ra)) >= PSI_CHANGE:
            moved.append(DriftChange(name=key[1], kind=key[0], a=ra, b=rb))
    max_a, max_b = a.max_psi, b.max_psi
    summary = (
        f"max PSI {'-' if max_a is None else f'{max_a:.3f}'} → {'-' if max_b is None else f'{max_b:.3f}'}; "
        f"drifted readings {len(a.drifted())} → {len(b.drifted())}"
    )
    return moved, summary
