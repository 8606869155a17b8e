"""Best send hour: the customer's own activity histogram shrunk toward their line of business's rhythm.

With few observations the prior dominates (a shopper with two evening clicks is not yet an evening
person); with many, their own pattern wins. Confidence grows with evidence and peakedness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

ALPHA = 12.0  # pseudo-observations the prior is worth


def histogram(active_hours: dict[str, Any] | None) -> np.ndarray:
    h = np.zeros(24)
    for hour, n in (active_hours or {}).items():
        h[int(hour) % 24] += float(n)
    return h


def fit_priors(rows: Iterable[dict[str, Any]]) -> dict[str, list[float]]:
    """Normalised hour-of-day histograms per line of business (and overall under "*")."""
    sums: dict[str, np.ndarray] = {"*": np.ones(24)}
    for f in rows:
        h = histogram(f.get("active_hours"))
        key = str(f.get("business") or "*")
        sums.setdefault(key, np.ones(24))
        sums[key] += h
        sums["*"] += h
    return {k: (v / v.sum()).tolist() for k, v in sums.items()}


def posterior(features: dict[str, Any], priors: Mapping[str, Sequence[float]]) -> tuple[np.ndarray, float, bool]:
    """(hour distribution, observations, whether the business had its own prior)."""
    key = str(features.get("business") or "*")
    known = key in priors
    prior = np.asarray(priors.get(key, priors["*"]))
    h = histogram(features.get("active_hours"))
    n = float(h.sum())
    return (h + ALPHA * prior) / (n + ALPHA), n, known


def best_hour(features: dict[str, Any], priors: Mapping[str, Sequence[float]]) -> tuple[int, float, float, bool]:
    """(hour 0-23 local, mass within ±1 hour, observations, business known)."""
    dist, n, known = posterior(features, priors)
    window = dist + np.roll(dist, 1) + np.roll(dist, -1)
    hour = int(np.argmax(window))
    return hour, float(window[hour]), n, known


def hit_rate(predicted: Sequence[int], actual: Sequence[Sequence[int]]) -> float:
    """Share of later actions that fell within ±1 hour of the predicted hour (circular)."""
    hits = total = 0
    for hour, hours in zip(predicted, actual, strict=True):
        for h in hours:
            total += 1
            hits += min((h - hour) % 24, (hour - h) % 24) <= 1
    return hits / total if total else float("nan")
