"""Quality on a held-out time window: AUC, calibration error, Brier, lift by decile, CLV error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score


def auc(y: np.ndarray, score: np.ndarray) -> float:
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, score))


def calibration_curve(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Equal-width probability bins (empty ones left out): mean predicted vs observed rate, and the bin's size;
    what ECE averages, kept with the model version so a dashboard can draw the curve."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    return [
        {"low": float(edges[b]), "high": float(edges[b + 1]), "n": float(mask.sum()),
         "predicted": float(p[mask].mean()), "observed": float(y[mask].mean())}
        for b in range(bins)
        if (mask := idx == b).any()
    ]  # fmt: skip


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins, weighted by bin size."""
    return sum(b["n"] / len(p) * abs(b["predicted"] - b["observed"]) for b in calibration_curve(y, p, bins))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def rmse(y: np.ndarray, f: np.ndarray) -> float:
    return float(np.sqrt(np.mean((f - y) ** 2)))


def mae(y: np.ndarray, f: np.ndarray) -> float:
    return float(np.mean(np.abs(f - y)))


def paired_interval(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y: np.ndarray,
    ours: np.ndarray,
    other: np.ndarray,
    *,
    resamples: int = 500,
    seed: int = 0,
) -> tuple[float, float]:
    """95% interval of metric(ours) − metric(other) over customers resampled with replacement, the same
    resample for both (paired), one resample at a time so memory stays O(n). Resamples on which the metric is
    undefined (AUC with one class) are dropped; (nan, nan) when none is left."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(resamples):
        i = rng.integers(0, len(y), size=len(y))
        d = metric(y[i], ours[i]) - metric(y[i], other[i])
        if np.isfinite(d):
            diffs.append(d)
    if not diffs:
        return float("nan"), float("nan")
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(lo), float(hi)


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def lift_table(y: np.ndarray, score: np.ndarray, groups: int = 10) -> list[dict[str, float]]:
    """Deciles by score (1 = highest): size, observed rate and lift over the overall rate."""
    order = np.argsort(-score, kind="stable")
    base = float(y.mean()) or 1e-12
    return [
        {
            "decile": float(d + 1),
            "n": float(len(chunk)),
            "rate": float(y[chunk].mean()) if len(chunk) else 0.0,
            "lift": (float(y[chunk].mean()) / base) if len(chunk) else 0.0,
        }
        for d, chunk in enumerate(np.array_split(order, groups))
    ]


def classifier_report(y: np.ndarray, p: np.ndarray, rule_score: np.ndarray, train_rate: float) -> dict[str, Any]:
    """Model against the RFM/activity rule (ranking) and the training base rate (probabilities).

    Beating the baseline means ranking better than the rule (AUC) and forecasting better than the base rate
    on proper scoring rules (Brier and log loss), which reward calibration and resolution together. ECE is
    reported for both but is not part of the test: a constant predictor has one bin, so its ECE is only
    |training rate - held-out rate| (near 0 for a stable population) and no informative model can beat it
    except by the luck of binning noise.
    """
    base = np.full_like(p, train_rate, dtype=float)
    report: dict[str, Any] = {
        "n": len(y),
        "positives": int(y.sum()),
        "rate": float(y.mean()),
        "auc": auc(y, p),
        "ece": ece(y, p),
        "calibration": calibration_curve(y, p),
        "brier": brier(y, p),
        "baseline_auc": auc(y, rule_score),
        "baseline_ece": ece(y, base),
        "baseline_brier": brier(y, base),
        "log_loss": log_loss(y, p),
        "baseline_log_loss": log_loss(y, base),
        "lift": lift_table(y, p),
        "baseline_lift": lift_table(y, rule_score),
    }
    report["criterion"] = "AUC above the rule's, Brier and log loss below the base rate's (ECE reported, not tested)"
    report["tested"] = ["auc", "brier", "log_loss"]
    report["beats_baseline"] = bool(
        report["auc"] > report["baseline_auc"]
        and report["brier"] < report["baseline_brier"]
        and report["log_loss"] < report["baseline_log_loss"]
    )
    return report


def regression_report(
    actual: np.ndarray, expected: np.ndarray, median: np.ndarray, baseline: np.ndarray
) -> dict[str, Any]:
    """CLV error against the observed future value, for the model and the run-rate baseline.

    Each error scores the estimate that minimises it: RMSE the expected value, MAE the median (for most
    customers 0: a purchase in the window is less likely than not). ``mae_zero`` (predicting 0 for everyone)
    is reported beside them, since on a zero-inflated outcome it is the bar any median must clear.
    """
    buyers = actual > 0
    report: dict[str, Any] = {
        "n": len(actual),
        "buyers": int(buyers.sum()),
        "mae": float(np.mean(np.abs(median - actual))),
        "rmse": float(np.sqrt(np.mean((expected - actual) ** 2))),
        "mae_of_expected": float(np.mean(np.abs(expected - actual))),
        "mae_zero": float(np.mean(np.abs(actual))),
        "baseline_mae": float(np.mean(np.abs(baseline - actual))),
        "baseline_rmse": float(np.sqrt(np.mean((baseline - actual) ** 2))),
        "auc_buyer": auc(buyers.astype(float), expected),
        "baseline_auc_buyer": auc(buyers.astype(float), baseline),
        "predicted_total": float(expected.sum()),
        "actual_total": float(actual.sum()),
        "lift": lift_table(buyers.astype(float), expected),
        "criterion": "RMSE (expected value) and MAE (median) below the run rate's, and a higher buyer AUC",
        "tested": ["rmse", "mae", "auc_buyer"],
    }
    report["beats_baseline"] = bool(
        report["rmse"] < report["baseline_rmse"]
        and report["mae"] < report["baseline_mae"]
        and report["auc_buyer"] > report["baseline_auc_buyer"]
    )
    return report
