"""Quality on a held-out time window: AUC, calibration error, Brier, lift by decile, CLV error."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score


def auc(y: np.ndarray, score: np.ndarray) -> float:
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, score))


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins, weighted by bin size."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.mean() * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return total


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


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
    """Model against the RFM/activity rule (ranking) and the training base rate (probabilities)."""
    base = np.full_like(p, train_rate, dtype=float)
    report: dict[str, Any] = {
        "n": len(y),
        "positives": int(y.sum()),
        "rate": float(y.mean()),
        "auc": auc(y, p),
        "ece": ece(y, p),
        "brier": brier(y, p),
        "baseline_auc": auc(y, rule_score),
        "baseline_ece": ece(y, base),
        "baseline_brier": brier(y, base),
        "lift": lift_table(y, p),
        "baseline_lift": lift_table(y, rule_score),
    }
    report["beats_baseline"] = bool(
        report["auc"] > report["baseline_auc"] and report["brier"] < report["baseline_brier"]
    )
    return report


def regression_report(actual: np.ndarray, predicted: np.ndarray, baseline: np.ndarray) -> dict[str, Any]:
    """CLV error against the observed future value, for the model and the run-rate baseline."""
    buyers = actual > 0
    report: dict[str, Any] = {
        "n": len(actual),
        "buyers": int(buyers.sum()),
        "mae": float(np.mean(np.abs(predicted - actual))),
        "rmse": float(np.sqrt(np.mean((predicted - actual) ** 2))),
        "baseline_mae": float(np.mean(np.abs(baseline - actual))),
        "baseline_rmse": float(np.sqrt(np.mean((baseline - actual) ** 2))),
        "auc_buyer": auc(buyers.astype(float), predicted),
        "baseline_auc_buyer": auc(buyers.astype(float), baseline),
        "predicted_total": float(predicted.sum()),
        "actual_total": float(actual.sum()),
        "lift": lift_table(buyers.astype(float), predicted),
    }
    # An expected value minimises squared error, so RMSE (not MAE, which rewards predicting 0) is the test,
    # together with ranking next-period buyers.
    report["beats_baseline"] = bool(
        report["rmse"] < report["baseline_rmse"] and report["auc_buyer"] > report["baseline_auc_buyer"]
    )
    return report
