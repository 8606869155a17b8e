"""Next product category: the customer's own category interest shrunk toward what customers buy next.

p(c) = (interest_c + beta * prior_c) / (interest + beta), where interest counts items ordered (x3) and
product views in the last year, prior is the category mix of next orders in training, and beta (how many
interactions the prior is worth) is chosen by likelihood on the training examples. Little history: the
population's mix; a lot: the customer's own pattern.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

BETAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


def interest(rows: Sequence[dict[str, Any]], categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(affinity shares n x categories, interest weight n) from feature rows."""
    shares = np.array(
        [[float((r.get("category_affinity") or {}).get(c, 0.0)) for c in categories] for r in rows]
    ).reshape(len(rows), len(categories))
    weight = np.array([float(r.get("category_interest") or 0.0) for r in rows])
    return shares, weight


def proba(shares: np.ndarray, weight: np.ndarray, prior: np.ndarray, beta: float) -> np.ndarray:
    p = (shares * weight[:, None] + beta * prior) / (weight + beta)[:, None]
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def fit(train_rows: Sequence[dict[str, Any]], train_labels: Sequence[str]) -> tuple[list[str], np.ndarray, float]:
    """(categories, prior, beta) maximising the training log-likelihood."""
    seen = {c for r in train_rows for c in (r.get("category_affinity") or {})}
    categories = sorted(set(train_labels) | seen)
    counts = Counter(train_labels)
    prior = np.array([counts[c] + 1.0 for c in categories])
    prior /= prior.sum()
    shares, weight = interest(train_rows, categories)
    index = np.array([categories.index(y) for y in train_labels])
    best = max(
        BETAS,
        key=lambda b: float(np.log(proba(shares, weight, prior, b)[np.arange(len(index)), index] + 1e-12).sum()),
    )
    return categories, prior, float(best)


def evaluate(
    rows: Sequence[dict[str, Any]], labels: Sequence[str], categories: list[str], prior: np.ndarray, beta: float
) -> dict[str, Any]:
    """Accuracy against the top-affinity rule; log loss against the base rate (the prior alone)."""
    shares, weight = interest(rows, categories)
    p = proba(shares, weight, prior, beta)
    known = np.array([y in categories for y in labels])
    index = np.array([categories.index(y) if y in categories else 0 for y in labels])
    picked = p[np.arange(len(labels)), index]
    top = [categories[i] for i in p.argmax(axis=1)]
    top3 = [[categories[i] for i in row[::-1][:3]] for row in p.argsort(axis=1)]
    popular = categories[int(prior.argmax())]
    rule = [r.get("top_category") or popular for r in rows]
    report: dict[str, Any] = {
        "n": len(labels),
        "accuracy": float(np.mean([a == b for a, b in zip(labels, top, strict=True)])),
        "top3_accuracy": float(np.mean([a in t for a, t in zip(labels, top3, strict=True)])),
        "baseline_accuracy": float(np.mean([a == b for a, b in zip(labels, rule, strict=True)])),
        "log_loss": float(-np.mean(np.where(known, np.log(picked + 1e-12), np.log(1e-12)))),
        "baseline_log_loss": float(-np.mean(np.where(known, np.log(prior[index] + 1e-12), np.log(1e-12)))),
        "beta": beta,
    }
    report["beats_baseline"] = bool(
        report["accuracy"] >= report["baseline_accuracy"] and report["log_loss"] < report["baseline_log_loss"]
    )
    return report
