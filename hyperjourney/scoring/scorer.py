"""Score feature rows with the active model versions: values, confidences and reason codes, vectorised.

One code path for a single customer online and for a whole tenant in batch. Confidence starts from the
model's held-out quality and drops, each time with a reason, for thin evidence, stale or unknown inputs,
and customers outside the population a model learned from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hyperjourney.scoring import sendtime
from hyperjourney.scoring.linear import LinearClassifier, LogSpendRegressor, SoftmaxClassifier
from hyperjourney.scoring.registry import ModelVersion
from hyperjourney.scoring.schema import SCORE_NAMES, Reason, Score
from hyperjourney.scoring.train import category_columns
from hyperjourney.scoring.vectorize import Vectorizer

BINARY = ("purchase_propensity", "churn_risk", "upgrade_fit")
TOP_REASONS = 3


class ModelsNotTrainedError(ValueError):
    """The tenant has no active version of a model the caller needs."""


@dataclass
class Scorer:
    """The active versions of the customer models, unpacked into numpy-ready objects."""

    versions: dict[str, str]
    quality: dict[str, float]
    vectorizers: dict[str, Vectorizer] = field(default_factory=dict)
    binary: dict[str, LinearClassifier] = field(default_factory=dict)
    clv_buy: LinearClassifier | None = None
    clv_spend: LogSpendRegressor | None = None
    categories: list[str] = field(default_factory=list)
    popular: str | None = None
    next_category: SoftmaxClassifier | None = None
    priors: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def from_versions(cls, models: dict[str, ModelVersion]) -> Scorer:
        missing = [n for n in SCORE_NAMES if n not in models]
        if missing:
            raise ModelsNotTrainedError(
                f"no active model for {', '.join(missing)}; train them with `hyperjourney models train`"
            )
        s = cls({n: m.label for n, m in models.items()}, {})
        for name, m in models.items():
            art = m.artifact or {}
            s.quality[name] = float(art.get("auc", 0.5))
            if name in BINARY:
                s.vectorizers[name] = Vectorizer(art["vectorizer"])
                s.binary[name] = LinearClassifier.from_json(art["model"])
            elif name == "clv":
                s.vectorizers[name] = Vectorizer(art["vectorizer"])
                s.clv_buy = LinearClassifier.from_json(art["buy"])
                s.clv_spend = LogSpendRegressor.from_json(art["spend"])
            elif name == "next_category":
                s.categories, s.popular = art["categories"], art["popular"]
                s.next_category = SoftmaxClassifier.from_json(art["model"])
            elif name == "best_send_hour":
                s.priors = art["priors"]
        return s

    def score(
        self, rows: Sequence[dict[str, Any]], stale: Sequence[Sequence[str]] | None = None
    ) -> list[dict[str, Score]]:
        """Every customer model for each feature row (stale: per row, the features past their SLA)."""
        out: list[dict[str, Score]] = [{} for _ in rows]
        stale_rows = stale or [[] for _ in rows]
        shared = self._shared_penalties(rows, stale_rows)
        matrices: dict[str, np.ndarray] = {}
        for name in BINARY:
            vec = self.vectorizers[name]
            key = repr(vec.levels)
            x = matrices[key] if key in matrices else matrices.setdefault(key, vec.transform(rows))
            model = self.binary[name]
            p, parts = model.predict(x), model.contributions(x)
            for i, row in enumerate(rows):
                extra = list(shared[i])
                if name == "churn_risk" and row.get("recency_days") is not None and row["recency_days"] > 60:
                    extra.append(
                        (
                            0.6,
                            f"inactive {row['recency_days']:.0f} days: outside the active customers the "
                            "churn model learned from (likely already lapsed)",
                        )
                    )
                out[i][name] = self._binary_score(name, float(p[i]), parts[i], vec, row, extra)
        self._clv(rows, out, shared)
        self._next_category(rows, out, shared)
        self._send_hour(rows, out, shared)
        return out

    def _shared_penalties(
        self, rows: Sequence[dict[str, Any]], stale: Sequence[Sequence[str]]
    ) -> list[list[tuple[float, str]]]:
        """(multiplier, why) for data problems that weaken every score of a customer."""
        vec = next(iter(self.vectorizers.values()))
        penalties: list[list[tuple[float, str]]] = []
        for row, old in zip(rows, stale, strict=True):
            p: list[tuple[float, str]] = []
            n = int(row.get("events_total") or 0) + 5 * int(row.get("orders_total") or 0)
            if n == 0:
                p.append((0.3, "no events or orders recorded for this customer: the score rests on profile data only"))
            elif n < 10:
                p.append((0.5 + 0.05 * n, f"only {n} recorded actions: thin evidence"))
            unknown = vec.unknown_levels(row)
            if unknown:
                p.append((0.7, f"values the models never saw in training: {', '.join(unknown)}"))
            if old:
                shown = ", ".join(sorted(old)[:4]) + (" …" if len(old) > 4 else "")
                p.append((0.7, f"{len(old)} features past their freshness SLA ({shown})"))
            penalties.append(p)
        return penalties

    def _confidence(self, name: str, penalties: Sequence[tuple[float, str]]) -> tuple[float, list[Reason]]:
        quality = min(max((self.quality.get(name, 0.5) - 0.5) / 0.5, 0.2), 1.0)
        conf = quality * math.prod(m for m, _ in penalties)
        reasons = [
            Reason(feature="data_quality", text=why, direction="-", size=round(1 - m, 3)) for m, why in penalties
        ]
        return round(min(max(conf, 0.01), 1.0), 3), reasons

    def _drivers(
        self, parts: np.ndarray, vec: Vectorizer, row: dict[str, Any], scale: float = 1.0, unit: str = ""
    ) -> list[Reason]:
        cols = vec.columns
        order = np.argsort(-np.abs(parts))[:TOP_REASONS]
        return [
            Reason(
                feature=cols[j].feature,
                text=f"{vec.phrase(cols[j], row)}: {_signed(float(parts[j]) * scale)}{unit}",
                direction="+" if parts[j] > 0 else "-",
                size=round(abs(float(parts[j])) * scale, 4),
            )
            for j in order
            if parts[j] != 0
        ]

    def _binary_score(
        self,
        name: str,
        p: float,
        parts: np.ndarray,
        vec: Vectorizer,
        row: dict[str, Any],
        penalties: Sequence[tuple[float, str]],
    ) -> Score:
        conf, problems = self._confidence(name, penalties)
        return Score(
            name=name,
            value=round(p, 4),
            confidence=conf,
            model_version=self.versions[name],
            reasons=problems + self._drivers(parts, vec, row),
        )

    def _clv(
        self, rows: Sequence[dict[str, Any]], out: list[dict[str, Score]], shared: list[list[tuple[float, str]]]
    ) -> None:
        assert self.clv_buy is not None and self.clv_spend is not None
        vec = self.vectorizers["clv"]
        x = vec.transform(rows)
        p_buy, spend = self.clv_buy.predict(x), self.clv_spend.predict(x)
        parts = self.clv_buy.contributions(x)
        for i, row in enumerate(rows):
            conf, problems = self._confidence("clv", shared[i])
            out[i]["clv"] = Score(
                name="clv",
                value=round(float(p_buy[i] * spend[i]), 2),
                confidence=conf,
                model_version=self.versions["clv"],
                reasons=[
                    *problems,
                    Reason(
                        feature="clv",
                        text=f"P(buys in 60 days) {p_buy[i]:.0%} x expected order value ${spend[i]:,.0f}",
                        direction="+",
                        size=round(float(p_buy[i] * spend[i]), 2),
                    ),
                    *self._drivers(parts[i], vec, row, scale=float(spend[i]), unit=" $"),
                ],
            )

    def _next_category(
        self, rows: Sequence[dict[str, Any]], out: list[dict[str, Score]], shared: list[list[tuple[float, str]]]
    ) -> None:
        assert self.next_category is not None
        x = np.array([category_columns(r, self.categories) for r in rows])
        proba = self.next_category.predict_proba(x)
        classes = self.next_category.classes
        for i, row in enumerate(rows):
            k = int(np.argmax(proba[i]))
            penalties = list(shared[i])
            seen = set(row.get("categories") or []) | set(row.get("category_affinity") or {})
            unknown = sorted(seen - set(self.categories))
            if unknown:
                penalties.append((0.7, f"categories unknown to the model: {', '.join(unknown)}"))
            if not seen:
                penalties.append((0.4, "no category history: the prediction follows what most customers buy next"))
            conf, problems = self._confidence("next_category", penalties)
            aff = row.get("category_affinity") or {}
            drivers = [
                Reason(
                    feature="category_affinity",
                    text=f"{share:.0%} of their interest is in {cat.replace('_', ' ')}",
                    direction="+" if cat == classes[k] else "-",
                    size=round(float(share), 3),
                )
                for cat, share in sorted(aff.items(), key=lambda kv: -kv[1])[:TOP_REASONS]
            ]
            out[i]["next_category"] = Score(
                name="next_category",
                value=round(float(proba[i][k]), 4),
                label=classes[k],
                confidence=conf,
                model_version=self.versions["next_category"],
                reasons=problems + drivers,
            )

    def _send_hour(
        self, rows: Sequence[dict[str, Any]], out: list[dict[str, Score]], shared: list[list[tuple[float, str]]]
    ) -> None:
        for i, row in enumerate(rows):
            hour, mass, n, known = sendtime.best_hour(row, self.priors)
            penalties = list(shared[i])
            if not known:
                penalties.append(
                    (0.7, f"line of business {row.get('business')!r} unknown: the tenant-wide rhythm is used")
                )
            evidence = n / (n + sendtime.ALPHA)
            peaked = min(max((mass - 0.125) / 0.5, 0.0), 1.0)
            conf, problems = self._confidence("best_send_hour", penalties)
            conf = round(max(0.01, conf * (0.3 + 0.7 * evidence) * (0.5 + 0.5 * peaked)), 3)
            hist = sendtime.histogram(row.get("active_hours"))
            near = int(hist[hour] + hist[(hour - 1) % 24] + hist[(hour + 1) % 24])
            reasons = [
                *problems,
                Reason(
                    feature="active_hours",
                    text=f"{near} of {int(n)} recent actions within an hour of {hour:02d}:00 local time",
                    direction="+",
                    size=round(near / n, 3) if n else 0.0,
                ),
                Reason(
                    feature="active_hours",
                    text=f"own history weighs {evidence:.0%}, the typical "
                    f"{row.get('business') or 'customer'} rhythm {1 - evidence:.0%}",
                    direction="+",
                    size=round(1 - evidence, 3),
                ),
            ]
            out[i]["best_send_hour"] = Score(
                name="best_send_hour",
                value=float(hour),
                label=f"{hour:02d}:00 local",
                confidence=conf,
                model_version=self.versions["best_send_hour"],
                reasons=reasons,
            )


def _signed(x: float) -> str:
    return f"{x:+.2f}" if abs(x) >= 0.01 else f"{x:+.3f}" if abs(x) >= 0.001 else f"{x:+.1e}"
