"""Pick the tenant's purchase-propensity model by backtest: the project's classifier, or BG/NBD where it does better.

BG/NBD's P(alive and at least one purchase in the horizon) (`btyd.prob_any_purchase`) is the textbook
purchase baseline; a classifier that cannot beat it on the tenant's own held-out window should not be used in
its place. As for CLV (`clv_choice.py`), BG/NBD models only customers with an order before the cutoff (its
clock starts at a first order), so it is fitted (the project's `btyd.fit_bgnbd`, on the point-in-time summary
of `clv_choice.summary`), judged and used only for them; everyone else keeps the classifier's score whichever
wins. Both are judged on the same buyers and window: Brier (lower wins), AUC as tie-break, paired bootstrap
intervals of classifier − BG/NBD. The winner is stored as ``chosen`` in the purchase model's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from hyperjourney.scoring import btyd, clv_choice, metrics

Choice = Literal["classifier", "bgnbd"]


class BGNBDPurchase(BaseModel):
    """The fitted BG/NBD and the horizon its probability is taken over (stored in the purchase artifact)."""

    params: btyd.BGNBD
    unit_days: float = Field(gt=0)
    horizon_days: int = Field(gt=0)


def fit(rows: Sequence[dict[str, Any]], horizon_days: int) -> BGNBDPurchase:
    """Fit BG/NBD on the rows' customers with an order (ValueError when there are none)."""
    data, buyer = clv_choice.summary(rows)
    params = btyd.fit_bgnbd(data.frequency[buyer], data.recency[buyer], data.T[buyer])
    return BGNBDPurchase(params=params, unit_days=clv_choice.UNIT_DAYS, horizon_days=horizon_days)


def probability(v: BGNBDPurchase, data: btyd.RFM, buyer: np.ndarray) -> np.ndarray:
    """P(at least one purchase in the horizon) for the customers with an order; NaN for the others."""
    t = v.horizon_days / v.unit_days
    p = btyd.prob_any_purchase(v.params, t, data.frequency, data.recency, data.T)
    return np.where(buyer, p, np.nan)


class Judgement(BaseModel):
    """Both models on the held-out window's customers with an order before the cutoff: Brier and AUC, and
    paired bootstrap intervals of classifier − BG/NBD (Brier negative / AUC positive: the classifier is better)."""

    population: str = "customers with an order before the cutoff"
    n: int
    classifier: dict[str, float]
    bgnbd: dict[str, float] | None
    brier_diff_ci: tuple[float, float] | None = None
    auc_diff_ci: tuple[float, float] | None = None


def _scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {"brier": metrics.brier(y, p), "auc": metrics.auc(y, p)}


def judge(
    y: np.ndarray, classifier: np.ndarray, bgnbd: np.ndarray | None, buyer: np.ndarray, *, resamples: int = 300
) -> Judgement:
    """Score both on the buyers of the held-out window (``bgnbd`` None: BG/NBD could not be fitted)."""
    yb, c = y[buyer], classifier[buyer]
    if not len(yb) or bgnbd is None:
        return Judgement(n=len(yb), classifier=_scores(yb, c) if len(yb) else {}, bgnbd=None)
    b = bgnbd[buyer]
    return Judgement(
        n=len(yb),
        classifier=_scores(yb, c),
        bgnbd=_scores(yb, b),
        brier_diff_ci=metrics.paired_interval(metrics.brier, yb, c, b, resamples=resamples),
        auc_diff_ci=metrics.paired_interval(metrics.auc, yb, c, b, resamples=resamples),
    )


def choose(j: Judgement, force: Choice | None = None) -> Choice:
    """The classifier is kept only where it beats BG/NBD on its population (lower Brier, higher AUC breaks a
    tie); ``force`` overrides (a tenant's operator, or a test)."""
    if force is not None:
        return force
    if j.bgnbd is None:
        return "classifier"
    b, c = j.bgnbd, j.classifier
    return "bgnbd" if (b["brier"], -b["auc"]) < (c["brier"], -c["auc"]) else "classifier"


def _ci(ci: tuple[float, float] | None) -> str:
    return f" [{ci[0]:+.4f}, {ci[1]:+.4f}]" if ci else ""


def why(chosen: Choice, j: Judgement, forced: bool) -> str:
    """The sentence `models show purchase_propensity` and `models backtest` print about the choice."""
    if j.bgnbd is None:
        return "the project's classifier is used for everyone: BG/NBD could not be fitted on this tenant"
    c, b = j.classifier, j.bgnbd
    figures = (
        f"on {j.n:,} {j.population}: Brier classifier {c['brier']:.4f} vs BG/NBD {b['brier']:.4f} "
        f"(Δ{_ci(j.brier_diff_ci)}), AUC {c['auc']:.3f} vs {b['auc']:.3f} (Δ{_ci(j.auc_diff_ci)})"
    )
    rest = "; customers without an order keep the classifier's score"
    if forced:
        who = "BG/NBD for customers with an order" if chosen == "bgnbd" else "the project's classifier for everyone"
        return f"{who} (forced); {figures}" + (rest if chosen == "bgnbd" else "")
    if chosen == "bgnbd":
        return f"BG/NBD is used for customers with an order: the project's model could not beat it, {figures}{rest}"
    return f"the project's classifier is used for everyone: it beats BG/NBD {figures}"


def decide(
    rows: Sequence[dict[str, Any]],
    y: np.ndarray,
    classifier: np.ndarray,
    horizon_days: int,
    force: Choice | None,
    errors: tuple[type[Exception], ...],
) -> tuple[dict[str, Any], dict[str, Any], np.ndarray]:
    """Fit BG/NBD on the held-out cutoff's history, judge it against the classifier, and return what the
    artifact and the metrics record, and the held-out probabilities as served under the choice (``errors``: the
    fit failures reported rather than raised)."""
    data, buyer = clv_choice.summary(rows)
    artifact: dict[str, Any] = {}
    quality: dict[str, Any] = {}
    bgnbd: np.ndarray | None = None
    try:
        value = fit(rows, horizon_days)
        bgnbd = probability(value, data, buyer)
        if not np.isfinite(bgnbd[buyer]).all():
            raise FloatingPointError("BG/NBD's purchase probability is not finite on the held-out customers")
        artifact["bgnbd"] = value.model_dump()
    except errors as exc:
        bgnbd = None
        quality["bgnbd_skipped"] = str(exc)
    if force == "bgnbd" and bgnbd is None:
        raise ValueError(f"purchase_model: BG/NBD was forced but could not be fitted ({quality['bgnbd_skipped']})")
    judged = judge(y, classifier, bgnbd, buyer)
    chosen = choose(judged, force)
    final = np.where(buyer, bgnbd, classifier) if chosen == "bgnbd" and bgnbd is not None else classifier
    artifact["chosen"] = chosen
    quality |= {
        "chosen": chosen,
        "choice_holdout": judged.model_dump(),
        "chosen_holdout": {"brier": metrics.brier(y, final), "auc": metrics.auc(y, final), "n": len(y)},
        "choice": why(chosen, judged, forced=force is not None),
    }
    return artifact, quality, final
