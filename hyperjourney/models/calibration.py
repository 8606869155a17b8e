"""Calibrated confidences: a small-tier score turned into the probability that its decision is right.

A decision's table is fitted offline by isotonic regression on out-of-fold scores of labelled examples (each
example scored by a model that never saw it) and shipped as JSON beside the model; at run time a score is mapped
through the table by linear interpolation (no sklearn import, no refit). The reliability curve (confidence bins
vs observed accuracy) is what `eval report` shows for a decision on its dev set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field


class CalibrationTable(BaseModel):
    """A monotone map from a raw score to P(right), fitted on ``n`` out-of-fold examples."""

    decision: str
    method: str = "isotonic"
    fitted_on: str = Field(description="What the examples were, and the sha256 of that file")
    examples_sha256: str
    n: int
    xs: list[float] = Field(description="Raw scores, increasing; (0, 0) first: no evidence is no confidence")
    ys: list[float] = Field(description="P(right) at each raw score")

    def apply(self, raw: float) -> float:
        return float(np.interp(raw, self.xs, self.ys))


class ReliabilityBin(BaseModel):
    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fit_isotonic(
    raw: Sequence[float], right: Sequence[bool], *, decision: str, fitted_on: str, sha: str
) -> CalibrationTable:
    """Isotonic regression of right/wrong on the raw score (offline: imports sklearn)."""
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
        np.asarray(raw, dtype=float), np.asarray(right, dtype=float)
    )
    xs = [float(x) for x in model.X_thresholds_]
    cap = len(raw) / (len(raw) + 1)  # finitely many examples never make a decision certain
    ys = [round(min(float(y), cap), 4) for y in model.y_thresholds_]
    if xs[0] > 0:
        xs, ys = [0.0, *xs], [0.0, *ys]
    return CalibrationTable(decision=decision, fitted_on=fitted_on, examples_sha256=sha, n=len(raw), xs=xs, ys=ys)


def reliability(confidences: Sequence[float], right: Sequence[bool], bins: int = 5) -> list[ReliabilityBin]:
    """Equal-width confidence bins (empty ones left out): mean confidence vs the share that was right."""
    out = []
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        idx = [j for j, c in enumerate(confidences) if low <= c < high or (i == bins - 1 and c == 1.0)]
        if idx:
            out.append(ReliabilityBin(
                low=low, high=high, n=len(idx), mean_confidence=float(np.mean([confidences[j] for j in idx])),
                accuracy=float(np.mean([bool(right[j]) for j in idx])),
            ))  # fmt: skip
    return out


def expected_calibration_error(bins: list[ReliabilityBin]) -> float:
    total = sum(b.n for b in bins)
    return sum(b.n * abs(b.mean_confidence - b.accuracy) for b in bins) / total if total else 0.0
