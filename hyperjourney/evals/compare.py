"""What changed between two runs: metric deltas, and the context keys (prompts, models, policies, data) that differ."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from hyperjourney.evals.results import EvalRun


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


class Comparison(BaseModel):
    a: str
    b: str
    metrics: list[MetricDelta]
    changes: list[ContextChange]


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
    return Comparison(a=a.run_id, b=b.run_id, metrics=metrics, changes=changes)
