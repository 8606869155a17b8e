"""Off-policy evaluation over plain arrays: what a target policy would have earned on logged bandit rounds.

Works on any logs (the project's own decisions or an imported file): IPS, self-normalised IPS, doubly robust
and switch-DR, with the Open Bandit Pipeline's definitions, each with a Poisson-bootstrap interval streamed
over the rounds in chunks so memory stays O(n + B). The target is stochastic (a distribution per round);
a deterministic policy is the one-hot case. The effective sample size of the importance weights says when
the target strays so far from the logging policy that no interval can be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel

from hyperjourney.experiments.reward_model import cross_fit_rewards

CHUNK = 4096
ESTIMATORS = ("ips", "snips", "dr", "switch_dr")


class Estimate(BaseModel):
    estimator: str
    value: float
    ci_low: float
    ci_high: float


class OPEReport(BaseModel):
    rounds: int
    actions: int
    logged_value: float
    estimates: list[Estimate]
    effective_sample_size: float
    min_effective_sample_size: float
    switch_tau: float
    reward_model: str
    warning: str | None

    @property
    def trusted(self) -> bool:
        return self.warning is None

    def get(self, estimator: str) -> Estimate:
        return next(e for e in self.estimates if e.estimator == estimator)


def _at_position(dist: NDArray[np.float64], positions: NDArray[np.int64]) -> NDArray[np.float64]:
    """The target's distribution over actions at each round's logged slot: (n, K) or (n, K, L) → (n, K)."""
    if dist.ndim == 3:
        return dist[np.arange(len(positions)), :, positions]
    return dist


def terms(
    actions: NDArray[np.int64],
    rewards: NDArray[np.float64],
    pscores: NDArray[np.float64],
    pi: NDArray[np.float64],
    q: NDArray[np.float64],
    switch_tau: float,
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Per-round numerator and denominator of each estimator: every one is sum(num) / sum(den)."""
    rows = np.arange(len(actions))
    iw = pi[rows, actions] / pscores
    q_factual = q[rows, actions]
    direct = (pi * q).sum(axis=1)
    ones = np.ones_like(iw)
    return {
        "ips": (iw * rewards, ones),
        "snips": (iw * rewards, iw),
        "dr": (direct + iw * (rewards - q_factual), ones),
        "switch_dr": (direct + (iw <= switch_tau) * iw * (rewards - q_factual), ones),
    }


def poisson_bootstrap(
    parts: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]],
    *,
    resamples: int,
    confidence: float,
    seed: int,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of each ratio-of-sums estimator from ``resamples`` Poisson(1)-weighted resamples,
    drawn chunk by chunk over the rounds: only B running sums and one B×CHUNK block are ever held."""
    rng = np.random.default_rng(seed)
    n = len(next(iter(parts.values()))[0])
    num = {k: np.zeros(resamples) for k in parts}
    den = {k: np.zeros(resamples) for k in parts}
    for start in range(0, n, CHUNK):
        w = rng.poisson(1.0, size=(resamples, min(CHUNK, n - start))).astype(float)
        for k, (a, b) in parts.items():
            num[k] += w @ a[start : start + CHUNK]
            den[k] += w @ b[start : start + CHUNK]
    tail = (1 - confidence) / 2 * 100
    out: dict[str, tuple[float, float]] = {}
    for k in parts:
        ok = den[k] > 0
        values = num[k][ok] / den[k][ok]
        lo, hi = np.percentile(values, [tail, 100 - tail]) if len(values) else (np.nan, np.nan)
        out[k] = (float(lo), float(hi))
    return out


def effective_sample_size(weights: NDArray[np.float64]) -> float:
    """Kish's (Σw)²/Σw²: how many rounds the weighted estimate is really worth."""
    sq = float((weights**2).sum())
    return float(weights.sum() ** 2 / sq) if sq > 0 else 0.0


def evaluate(
    actions: ArrayLike,
    rewards: ArrayLike,
    pscores: ArrayLike,
    target_dist: ArrayLike,
    context: ArrayLike | Sequence[dict[str, Any]] | None = None,
    *,
    positions: ArrayLike | None = None,
    estimated_rewards: ArrayLike | None = None,
    folds: int = 5,
    switch_tau: float = 100.0,
    bootstrap: int = 500,
    confidence: float = 0.95,
    min_ess: float = 100.0,
    seed: int = 0,
) -> OPEReport:
    """Estimate the mean reward of the target policy ``target_dist`` ((n, K), or (n, K, L) per slot with
    ``positions``) on rounds logged with propensities ``pscores``. The DR reward model is ``estimated_rewards``
    ((n, K) at each round's slot) if given, else cross-fitted on ``context`` (arrays or feature dicts)."""
    a = np.asarray(actions, dtype=np.int64)
    r = np.asarray(rewards, dtype=float)
    p = np.asarray(pscores, dtype=float)
    dist = np.asarray(target_dist, dtype=float)
    n = len(a)
    pos = np.zeros(n, dtype=np.int64) if positions is None else np.asarray(positions, dtype=np.int64)
    if n == 0:
        raise ValueError("actions: no logged rounds to evaluate")
    if not (len(r) == len(p) == len(pos) == dist.shape[0] == n):
        raise ValueError("actions, rewards, pscores, positions and target_dist must have one entry per round")
    if np.any(p <= 0) or np.any(p > 1):
        raise ValueError("pscores: every propensity must be in (0, 1]")
    if dist.ndim not in (2, 3):
        raise ValueError("target_dist: expected shape (rounds, actions) or (rounds, actions, positions)")
    pi = _at_position(dist, pos)
    k = pi.shape[1]
    if a.min() < 0 or a.max() >= k:
        raise ValueError(f"actions: indices must be in [0, {k})")
    if np.any(pi < -1e-12) or not np.allclose(pi.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("target_dist: each round's distribution must be non-negative and sum to 1")
    if estimated_rewards is not None:
        q = np.asarray(estimated_rewards, dtype=float)
        model = "given"
    else:
        q, model = cross_fit_rewards(a, r, k, context, positions=pos, folds=folds, seed=seed)
    if q.shape != pi.shape:
        raise ValueError(f"estimated_rewards: expected shape {pi.shape}, got {q.shape}")
    parts = terms(a, r, p, pi, q, switch_tau)
    intervals = poisson_bootstrap(parts, resamples=bootstrap, confidence=confidence, seed=seed)
    iw = parts["snips"][1]
    ess = effective_sample_size(iw)
    warning = None
    if ess < min_ess:
        warning = (
            f"effective sample size {ess:.1f} of {n} rounds (< {min_ess:g}): the target rarely takes the logged "
            "actions, so these intervals cannot be trusted"
        )
    estimates = []
    for name in ESTIMATORS:
        num, den = parts[name]
        value = float(num.sum() / den.sum()) if den.sum() > 0 else float("nan")
        estimates.append(Estimate(estimator=name, value=value, ci_low=intervals[name][0], ci_high=intervals[name][1]))
    return OPEReport(
        rounds=n,
        actions=k,
        logged_value=float(r.mean()),
        estimates=estimates,
        effective_sample_size=ess,
        min_effective_sample_size=min_ess,
        switch_tau=switch_tau,
        reward_model=model,
        warning=warning,
    )
