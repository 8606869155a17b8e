"""Population stability index between a reference window and recent data, with the usual reading of its size."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

EPS = 1e-4
MODERATE, SIGNIFICANT = 0.1, 0.25
Z_95 = 1.96
Level = Literal["stable", "moderate", "significant"]


def psi(reference: Sequence[float], recent: Sequence[float], bins: int = 10) -> float:
    """PSI over quantile bins of the reference; 0 means identical distributions."""
    return psi_with_bins(reference, recent, bins)[0]


def psi_with_bins(reference: Sequence[float], recent: Sequence[float], bins: int = 10) -> tuple[float, int]:
    """PSI and the number of bins it used (ties in the reference merge quantile bins)."""
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
    return float(np.sum((new_share - ref_share) * np.log(new_share / ref_share))), int(edges.size - 1)


def psi_is_noise(value: float, n_reference: int, n_recent: int, bins: int) -> bool:
    """Whether a PSI this large is likely from sampling alone (95% level).

    PSI is the symmetric KL divergence of the binned shares; scaled by n1·n2/(n1+n2) it is approximately
    chi-square with bins-1 degrees of freedom when both samples come from one distribution. With a few hundred
    values per window, PSI of 0.1–0.3 happens by chance.
    """
    if bins < 2:
        return True
    from scipy.stats import chi2  # imported here: scipy.stats costs a second of every process's start

    statistic = value * n_reference * n_recent / (n_reference + n_recent)
    return bool(statistic < chi2.ppf(0.95, bins - 1))


class DriftReading(BaseModel):
    name: str
    kind: Literal["feature", "base_rate"]
    psi: float | None = None
    reference: float | None = None
    recent: float | None = None
    change: float | None = Field(None, description="Base rates: relative change of the recent rate")
    level: Level
    since: str = Field("", description="What the recent window is compared with, e.g. 'since training'")
    n_reference: int | None = None
    n_recent: int | None = None
    expected: bool = Field(
        False, description="A shift the calendar explains (tenure, lifetime totals): shown, never counted as drift"
    )
    why_expected: str = ""
    noise: bool = Field(False, description="Not significant at the 95% level for its sample sizes: kept stable")

    def cells(self) -> list[str]:
        """The reading as one table row (CLI and HTML report): signal, kind, PSI, reference, recent, level, since."""
        return [
            self.name,
            self.kind,
            "-" if self.psi is None else f"{self.psi:.3f}",
            "-" if self.reference is None else f"{self.reference:.4g}",
            "-" if self.recent is None else f"{self.recent:.4g}",
            self.level,
            self.since,
        ]

    def warning(self) -> str:
        """One line a marketer can act on, e.g. 'churn_risk base rate moved 4.1% → 6.3% since training'."""
        since = f" {self.since}" if self.since else ""
        if self.kind == "base_rate":
            return (
                f"{self.name} moved {_rate(self.reference)} → {_rate(self.recent)}{since}; "
                "scores and sized lifts may be off"
            )
        return f"{self.name} distribution shifted{since} (PSI {self.psi or 0:.2f}, {self.level}); scores may be off"


def _rate(value: float | None) -> str:
    return "?" if value is None else f"{value:.1%}"


def level(value: float) -> Level:
    """Common PSI reading: < 0.1 stable, < 0.25 moderate, otherwise significant."""
    return "stable" if value < MODERATE else "moderate" if value < SIGNIFICANT else "significant"


def feature_drift(
    name: str, reference: Sequence[float], recent: Sequence[float], since: str = "", *, why_expected: str = ""
) -> DriftReading:
    value, bins = psi_with_bins(reference, recent)
    noise = psi_is_noise(value, len(reference), len(recent), bins)
    return DriftReading(
        name=name,
        kind="feature",
        psi=value,
        level="stable" if noise else level(value),
        noise=noise,
        since=since,
        n_reference=len(reference),
        n_recent=len(recent),
        expected=bool(why_expected),
        why_expected=why_expected,
    )


def z_score(p1: float, n1: int, p2: float, n2: int) -> float:
    """Two-proportion z statistic (pooled); 0 when either sample is empty or the pooled rate is 0 or 1."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5
    return 0.0 if se == 0 else (p2 - p1) / se


def base_rate_drift(
    name: str,
    reference_rate: float,
    recent_rate: float,
    since: str = "",
    *,
    n_reference: int | None = None,
    n_recent: int | None = None,
) -> DriftReading:
    """Relative change of a rate (conversion, churn): 10% relative is moderate, 25% significant.

    With sample sizes, a change that is not statistically significant (|z| < 1.96) stays stable: a few hundred
    customers move a 4% rate by a quarter by chance alone.
    """
    if reference_rate <= 0:
        change = 0.0 if recent_rate <= 0 else 1.0
    else:
        change = abs(recent_rate - reference_rate) / reference_rate
    noise = (
        n_reference is not None
        and n_recent is not None
        and abs(z_score(reference_rate, n_reference, recent_rate, n_recent)) < Z_95
    )
    return DriftReading(
        name=name,
        kind="base_rate",
        reference=reference_rate,
        recent=recent_rate,
        change=change,
        level="stable" if noise else level(change),
        noise=noise,
        since=since,
        n_reference=n_reference,
        n_recent=n_recent,
    )


class DriftReport(BaseModel):
    """Drift of one tenant at one moment: stored once per `eval run`, read by the gate, reports and the Analyst."""

    report_id: str
    computed_at: datetime
    as_of: datetime | None = Field(None, description="End of the recent window (the tenant's data time)")
    reference: str = Field("", description="What the recent data is compared with, in words")
    models: list[str] = Field(default_factory=list, description="Model versions whose training window is the reference")
    readings: list[DriftReading] = Field(default_factory=list)
    note: str = Field("", description="Why some or all readings are missing")
    seconds: float = 0.0

    @property
    def features(self) -> list[DriftReading]:
        return [r for r in self.readings if r.kind == "feature"]

    @property
    def watched(self) -> list[DriftReading]:
        """Readings that count as drift: not explained by the calendar, not within sampling noise."""
        return [r for r in self.readings if not r.expected and not r.noise]

    @property
    def base_rates(self) -> list[DriftReading]:
        return [r for r in self.readings if r.kind == "base_rate"]

    @property
    def max_psi(self) -> float | None:
        values = [r.psi for r in self.watched if r.psi is not None]
        return max(values) if values else None

    @property
    def max_base_rate_change(self) -> float | None:
        values = [r.change for r in self.watched if r.change is not None]
        return max(values) if values else None

    def drifted(self) -> list[DriftReading]:
        """Readings past the moderate band, worst first (base rates before features at the same level)."""
        order = {"significant": 0, "moderate": 1}
        hits = [r for r in self.watched if r.level != "stable"]
        return sorted(hits, key=lambda r: (order[r.level], r.kind != "base_rate", -(r.psi or r.change or 0.0)))

    def alerts(self) -> list[DriftReading]:
        """What sizing and readouts must flag: any drifted base rate, and features past the significant band."""
        return [r for r in self.drifted() if r.kind == "base_rate" or r.level == "significant"]

    def warnings(self, limit: int = 6) -> list[str]:
        return [r.warning() for r in self.alerts()[:limit]]
