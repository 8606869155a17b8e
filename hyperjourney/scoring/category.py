"""Next product category: long-run taste, adjusted by what the customer bought last and is browsing now.

Two layers. The taste layer is the customer's own category interest shrunk toward the population's mix:
p0(c) = (interest_c + beta * prior_c) / (interest + beta), where interest counts items ordered (x3) and
product views in the last year and beta (how many interactions the prior is worth) maximises the training
likelihood. The sequence layer is a multinomial logit with p0 as its offset:

    log p(c) = log p0(c) + sum_s last_s * exp(-days / FADE_DAYS) * T[s, c] + D[i, c]
               + v_c * log1p(views_30d_c) + b_c + const

where last_s marks the categories of the last order and days is how long ago it was, T is the complement
matrix (shoes -> socks > 0, shoes -> shoes < 0 where the data shows it), i is the interest the customer
declared in their profile (D learns what each declared interest buys), and views_30d_c counts recent
product views: the research people do before buying. The top-affinity rule sees none of this. T, D, v and
b are fitted by L2-penalised maximum likelihood on examples from many point-in-time cutoffs; every term's
effect on the predicted category is a reason code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy.optimize import minimize

BETAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
FADE_DAYS = 60.0  # how fast the pull of the last order fades
PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0)  # L2 on the sequence layer, chosen on a later validation cutoff
_NEVER = 1e4  # days since the last order for customers who never ordered (the term vanishes)


def interest(rows: Sequence[dict[str, Any]], categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(affinity shares n x categories, interest weight n) from feature rows."""
    shares = np.array(
        [[float((r.get("category_affinity") or {}).get(c, 0.0)) for c in categories] for r in rows]
    ).reshape(len(rows), len(categories))
    weight = np.array([float(r.get("category_interest") or 0.0) for r in rows])
    return shares, weight


def proba(shares: np.ndarray, weight: np.ndarray, prior: np.ndarray, beta: float) -> np.ndarray:
    """The taste layer: own interest shrunk toward the prior."""
    p = (shares * weight[:, None] + beta * prior) / (weight + beta)[:, None]
    return np.asarray(p / p.sum(axis=1, keepdims=True))


@dataclass
class SequenceInputs:
    """Per customer: log taste p0, faded last-order indicators, declared-interest one-hot, log1p recent
    views, days since the last order."""

    log_taste: np.ndarray
    last: np.ndarray
    declared: np.ndarray
    views: np.ndarray
    days: np.ndarray


def sequence_inputs(
    rows: Sequence[dict[str, Any]], categories: list[str], prior: np.ndarray, beta: float, levels: list[str]
) -> SequenceInputs:
    """One pass over the rows collecting (row, column, value) triples, then one scatter per matrix: the batch
    path scores 100k customers, so no Python work per cell of a dense matrix."""
    n, k = len(rows), len(categories)
    col = {c: j for j, c in enumerate(categories)}
    lvl = {v: j for j, v in enumerate(levels)}
    cells: dict[str, tuple[list[int], list[int], list[float]]] = {m: ([], [], []) for m in ("share", "last", "view")}
    weight, days, declared_at = np.zeros(n), np.full(n, _NEVER), []
    for i, r in enumerate(rows):
        for name, values in (
            ("share", r.get("category_affinity")),
            ("view", r.get("category_views_30d")),
            ("last", dict.fromkeys(r.get("last_order_categories") or (), 1.0)),
        ):
            target = cells[name]
            for c, v in (values or {}).items():
                j = col.get(c)
                if j is not None:
                    target[0].append(i)
                    target[1].append(j)
                    target[2].append(float(v))
        weight[i] = float(r.get("category_interest") or 0.0)
        if r.get("days_since_last_order") is not None:
            days[i] = float(r["days_since_last_order"])
        if (j := lvl.get(str(r.get("declared_interest")))) is not None:
            declared_at.append((i, j))
    dense = {}
    for name, (ii, jj, vv) in cells.items():
        dense[name] = np.zeros((n, k))
        dense[name][ii, jj] = vv
    declared = np.zeros((n, len(levels)))
    if declared_at:
        declared[tuple(np.array(declared_at).T)] = 1.0
    last = dense["last"] * np.exp(-days / FADE_DAYS)[:, None]
    taste = np.log(proba(dense["share"], weight, prior, beta))
    return SequenceInputs(taste, last, declared, np.log1p(dense["view"]), days)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass
class NextCategoryModel:
    categories: list[str]
    prior: np.ndarray
    beta: float
    complements: np.ndarray  # T: last order's category (row) -> next category (column), in log-odds
    interest_levels: list[str]  # declared interests seen in training
    interests: np.ndarray  # D: declared interest (row) -> next category (column), in log-odds
    views: np.ndarray  # v: weight of log1p(recent views) per category
    bias: np.ndarray  # b: per-category correction of the taste layer

    @classmethod
    def fit_selected(
        cls, rows: Sequence[dict[str, Any]], labels: Sequence[str], when: Sequence[datetime], gap: timedelta
    ) -> tuple[NextCategoryModel, float]:
        """Choose the penalty by log loss on the latest cutoff, fitting on cutoffs at least ``gap`` (the
        outcome horizon) before it so no outcome is shared; then refit on everything. (model, penalty)"""
        latest = max(when)
        fit_rows = [i for i, w in enumerate(when) if w <= latest - gap]
        check = [i for i, w in enumerate(when) if w == latest]
        best = PENALTIES[1]
        if fit_rows and check:
            scores = {}
            for penalty in PENALTIES:
                model = cls.fit([rows[i] for i in fit_rows], [labels[i] for i in fit_rows], penalty)
                scores[penalty] = model.log_loss([rows[i] for i in check], [labels[i] for i in check])
            best = min(scores, key=lambda k: scores[k])
        return cls.fit(rows, labels, best), best

    def log_loss(self, rows: Sequence[dict[str, Any]], labels: Sequence[str]) -> float:
        p = self.predict(self.inputs(rows))
        picked = [p[i, self.categories.index(y)] if y in self.categories else 1e-12 for i, y in enumerate(labels)]
        return float(-np.mean(np.log(np.maximum(picked, 1e-12))))

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]], labels: Sequence[str], penalty: float) -> NextCategoryModel:
        seen = {c for r in rows for c in (r.get("category_affinity") or {})}
        categories = sorted(set(labels) | seen)
        counts = Counter(labels)
        prior = np.array([counts[c] + 1.0 for c in categories])
        prior /= prior.sum()
        shares, weight = interest(rows, categories)
        y = np.array([categories.index(label) for label in labels])
        beta = max(
            BETAS,
            key=lambda b: float(np.log(proba(shares, weight, prior, b)[np.arange(len(y)), y] + 1e-12).sum()),
        )
        levels = sorted({str(r["declared_interest"]) for r in rows if r.get("declared_interest")})
        inp = sequence_inputs(rows, categories, prior, float(beta), levels)
        k, m = len(categories), len(categories) + len(levels)
        context = np.hstack([inp.last, inp.declared])
        onehot = np.eye(k)[y]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, v, b = theta[: m * k].reshape(m, k), theta[m * k : m * k + k], theta[m * k + k :]
            z = inp.log_taste + context @ w + inp.views * v + b
            z = z - z.max(axis=1, keepdims=True)
            lse = np.log(np.exp(z).sum(axis=1))
            g = np.exp(z - lse[:, None]) - onehot
            nll = float(-(z[np.arange(len(y)), y] - lse).sum() + penalty * (theta**2).sum())
            grad = np.concatenate([(context.T @ g).ravel(), (inp.views * g).sum(axis=0), g.sum(axis=0)])
            return nll, grad + 2 * penalty * theta

        theta = minimize(loss, np.zeros(m * k + 2 * k), jac=True, method="L-BFGS-B").x
        w = theta[: m * k].reshape(m, k)
        return cls(
            categories,
            prior,
            float(beta),
            w[:k],
            levels,
            w[k:],
            theta[m * k : m * k + k],
            theta[m * k + k :],
        )

    def inputs(self, rows: Sequence[dict[str, Any]]) -> SequenceInputs:
        return sequence_inputs(rows, self.categories, self.prior, self.beta, self.interest_levels)

    def logits(self, inp: SequenceInputs) -> np.ndarray:
        z = inp.log_taste + inp.last @ self.complements + inp.declared @ self.interests
        return np.asarray(z + inp.views * self.views + self.bias)

    def predict(self, inp: SequenceInputs) -> np.ndarray:
        return _softmax(self.logits(inp))

    def effects(self, inp: SequenceInputs, label: np.ndarray) -> np.ndarray:
        """Change in p(predicted category) from each term, n x (2k + 2): last-order categories, recent views
        per category, the declared interest, then the customer's own taste against the population's mix."""
        z = self.logits(inp)
        rows = np.arange(len(label))
        p = _softmax(z)[rows, label]
        k = len(self.categories)
        out = np.zeros((len(label), 2 * k + 2))
        for s in range(k):  # only the rows where the term is present
            if (on := np.flatnonzero(inp.last[:, s])).size:
                without = z[on] - inp.last[on, s, None] * self.complements[s]
                out[on, s] = p[on] - _softmax(without)[np.arange(on.size), label[on]]
            if (on := np.flatnonzero(inp.views[:, s])).size:
                without = z[on].copy()
                without[:, s] -= inp.views[on, s] * self.views[s]
                out[on, k + s] = p[on] - _softmax(without)[np.arange(on.size), label[on]]
        out[:, 2 * k] = p - _softmax(z - inp.declared @ self.interests)[rows, label]
        out[:, 2 * k + 1] = p - _softmax(z - inp.log_taste + np.log(self.prior))[rows, label]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "prior": self.prior.tolist(),
            "beta": self.beta,
            "complements": self.complements.tolist(),
            "interest_levels": self.interest_levels,
            "interests": self.interests.tolist(),
            "views": self.views.tolist(),
            "bias": self.bias.tolist(),
            "fade_days": FADE_DAYS,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> NextCategoryModel:
        return cls(
            list(d["categories"]),
            np.array(d["prior"]),
            float(d["beta"]),
            np.array(d["complements"]),
            list(d["interest_levels"]),
            np.array(d["interests"]).reshape(len(d["interest_levels"]), len(d["categories"])),
            np.array(d["views"]),
            np.array(d["bias"]),
        )


def evaluate(model: NextCategoryModel, rows: Sequence[dict[str, Any]], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy against the top-affinity rule; log loss against the base rate (the prior alone)."""
    categories, prior = model.categories, model.prior
    p = model.predict(model.inputs(rows))
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
        "beta": model.beta,
    }
    report["beats_baseline"] = bool(
        report["accuracy"] > report["baseline_accuracy"] and report["log_loss"] < report["baseline_log_loss"]
    )
    return report
