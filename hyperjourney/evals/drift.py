"""Population stability index between a reference window and recent data, with the usual reading of its size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel

EPS = 1e-4


def psi(reference: Sequence[float], recent: Sequence[float], bins: int = 10) -> float:
    """PSI over quantile bins of the reference; 0 means identical distributions."""
    ref = np.asarray(reference, dtype=float)
    new = np.asarray(recent, dtype=float)
    ref, new = ref[~np.isnan(ref)], new[~np.isnan(new)]
    if ref.size == 0 or new.size == 0:
        raise ValueError("PSI needs values in both windows")
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    if edges.size < 2:
        edges = np.array([ref[0] - 0.5, ref[0] + 0.5])
    edges[0], edges[-1] = -np.inf, np.inf
    ref_share = np.histogram(ref, edges)[0] / ref.size
    new_share = np.histogram(new, edges)[0] / new.size
    ref_share, new_share = np.clip(ref_share, EPS, None), np.clip(new_share, EPS, None)
    return float(np.sum((new_share - ref_share) * np.log(new_share / ref_share)))


class DriftReading(BaseModel):
    name: str
    kind: Literal["feature", "base_rate"]
    psi: float | None = None
    reference: float | None = None
    recent: float | None = None
    level: Literal["stable", "moderate", "significant"]


def level(value: float) -> Literal["stable", "moderate", "significant"]:
    """Common PSI reading: < 0.1 stable, < 0.25 moderate, otherwise significant."""
    return "stable" if value < 0.1 else "moderate" if value < 0.25 else "significant"


def feature_drift(name: str, reference: Sequence[float], recent: Sequence[float]) -> DriftReading:
    value = psi(reference, recent)
    return DriftReading(name=name, kind="feature", psi=value, level=level(value))


def base_rate_drift(name: str, reference_rate: float, recent_rate: float) -> DriftReading:
    """Relative change of a rate (conversion, churn): 10% relative is moderate, 25% significant."""
    if reference_rate <= 0:
        change = 0.0 if recent_rate <= 0 else 1.0
    else:
        change = abs(recent_rate - reference_rate) / reference_rate
    return DriftReading(name=name, kind="base_rate", reference=reference_rate, recent=recent_rate, level=level(change))
