"""Small, dependency-light statistics for readouts: difference of proportions with a CI, and sample size."""

from __future__ import annotations

import math
from statistics import NormalDist

from pydantic import BaseModel

_NORMAL = NormalDist()  # the standard normal (statistics', not scipy's: the canvas imports this)


class Lift(BaseModel):
    treated_n: int
    treated_rate: float
    control_n: int
    control_rate: float
    abs_lift: float
    ci_low: float
    ci_high: float
    rel_lift: float | None
    p_value: float

    @property
    def significant(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


def lift(treated_hits: int, treated_n: int, control_hits: int, control_n: int, *, confidence: float = 0.95) -> Lift:
    """Treated minus control rate with an Agresti–Caffo interval (one success and one failure added to each
    arm, which keeps small or zero-count arms honest) and a pooled two-sided z-test."""
    pt = treated_hits / treated_n if treated_n else 0.0
    pc = control_hits / control_n if control_n else 0.0
    diff = pt - pc
    z = float(_NORMAL.inv_cdf(0.5 + confidence / 2))
    if treated_n and control_n:
        at, ac = (treated_hits + 1) / (treated_n + 2), (control_hits + 1) / (control_n + 2)
        center = at - ac
        se = math.sqrt(at * (1 - at) / (treated_n + 2) + ac * (1 - ac) / (control_n + 2))
        pooled = (treated_hits + control_hits) / (treated_n + control_n)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / treated_n + 1 / control_n))
        p_value = float(2 * (1 - _NORMAL.cdf(abs(diff) / se0))) if se0 > 0 else 1.0
    else:
        center, se, p_value = diff, float("inf"), 1.0
    return Lift(
        treated_n=treated_n, treated_rate=pt, control_n=control_n, control_rate=pc, abs_lift=diff,
        ci_low=center - z * se, ci_high=center + z * se, rel_lift=diff / pc if pc > 0 else None, p_value=p_value,
    )  # fmt: skip


def sample_size_per_arm(base_rate: float, abs_effect: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Customers per arm to detect ``abs_effect`` over ``base_rate`` (two-sided, normal approximation)."""
    p1, p2 = base_rate, min(max(base_rate + abs_effect, 1e-6), 1 - 1e-6)
    if abs_effect == 0:
        return 10**9
    za, zb = float(_NORMAL.inv_cdf(1 - alpha / 2)), float(_NORMAL.inv_cdf(power))
    var = p1 * (1 - p1) + p2 * (1 - p2)
    return math.ceil((za + zb) ** 2 * var / abs_effect**2)
