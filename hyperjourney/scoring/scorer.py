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

from hyperjourney.scoring import btyd, category, clv_choice, horizons, sendtime
from hyperjourney.scoring.linear import LinearClassifier, LogSpendRegressor
from hyperjourney.scoring.registry import ModelVersion
from hyperjourney.scoring.schema import SCORE_NAMES, Score
from hyperjourney.scoring.train import KINDS
from hyperjourney.scoring.vectorize import Vectorizer

BINARY = ("purchase_propensity", "churn_risk", "upgrade_fit")
_CATEGORY_TERMS = ("last_order_categories", "category_views_30d", "declared_interest", "category_affinity")
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
    clv_projection: horizons.Projection | None = None
    clv_btyd: clv_choice.BTYDValue | None = None  # set when the backtest chose BG/NBD+GG over the hurdle model
    next_category: category.NextCategoryModel | None = None
    priors: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def from_versions(cls, models: dict[str, ModelVersion]) -> Scorer:
        if not any(n in models for n in SCORE_NAMES):
            raise ModelsNotTrainedError(
                f"no active model for {', '.join(SCORE_NAMES)}; train them with `hyperjourney models train`"
            )
        outdated = [m.label for n, m in models.items() if m.kind != KINDS[n]]
        if outdated:
            raise ModelsNotTrainedError(
                f"{', '.join(outdated)} were trained by an older version of hyperjourney; "
                "retrain them with `hyperjourney models train`"
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
                if "projection" in art:
                    s.clv_projection = horizons.Projection.model_validate(art["projection"])
                if art.get("chosen") == "bgnbd_gg":
                    s.clv_btyd = clv_choice.BTYDValue.model_validate(art["bgnbd_gg"])
            elif name == "next_category":
                s.next_category = category.NextCategoryModel.from_json(art)
            elif name == "best_send_hour":
                s.priors = art["priors"]
        return s

    def inputs(self, rows: Sequence[dict[str, Any]]) -> Inputs:
        """Feature rows → the numeric arrays every model reads."""
        xs: dict[str, np.ndarray] = {}
        if self.vectorizers:
            vec = next(iter(self.vectorizers.values()))
            x = vec.transform(rows)
            xs = {n: x if v.levels == vec.levels else v.transform(rows) for n, v in self.vectorizers.items()}
        sequence = self.next_category.inputs(rows) if self.next_category is not None else None
        hours = np.array([sendtime.histogram(r.get("active_hours")) for r in rows]).reshape(len(rows), 24)
        keys = list(self.priors)
        business = np.array(
            [keys.index(str(r.get("business"))) if str(r.get("business")) in keys else keys.index("*") for r in rows]
            if keys
            else [0] * len(rows),
            dtype=int,
        )
        rfm = clv_choice.summary(rows) if self.clv_btyd is not None else None
        return Inputs(xs, sequence, hours, business, rfm)

    def core(self, inp: Inputs) -> dict[str, Any]:
        """Every active model's values and top drivers as arrays: the whole numeric work, no Python per customer.

        A tenant whose data supports only some models (orders and no events, say) scores with those.
        """
        out: dict[str, Any] = {}
        for name in self.binary:
            model, x = self.binary[name], inp.x[name]
            out[name] = model.predict_with_drivers(x, TOP_REASONS)
        if self.clv_buy is not None and self.clv_spend is not None:
            x = inp.x["clv"]
            p_buy, top, effects = self.clv_buy.predict_with_drivers(x, TOP_REASONS)
            spend = self.clv_spend.predict(x)
            value = p_buy * spend
            spans = horizons.project(p_buy, spend, self.clv_projection) if self.clv_projection is not None else {}
            if self.clv_btyd is not None and inp.rfm is not None:
                # BG/NBD+GG for the customers with an order, the hurdle value for everyone else
                buyer = inp.rfm[1]
                v = clv_choice.values_of(self.clv_btyd, *inp.rfm)
                value = np.where(buyer, v["clv"], value)
                spans = clv_choice.blend(spans, {k: a for k, a in v.items() if k.startswith("clv_")}, buyer)
                out["clv_btyd"] = (buyer, v["purchases"], v["per_purchase"])
            out["clv"] = (value, top, effects * spend[:, None], p_buy, spend)
            if spans:
                out["clv_horizons"] = spans
        if self.next_category is not None and inp.sequence is not None:
            proba = self.next_category.predict(inp.sequence)
            label = proba.argmax(axis=1)
            out["next_category"] = (proba.max(axis=1), label, self.next_category.effects(inp.sequence, label))
        if not self.priors:
            return out
        prior = np.array([self.priors[k] for k in self.priors])[inp.business]
        n = inp.hours.sum(axis=1)
        dist = (inp.hours + sendtime.ALPHA * prior) / (n + sendtime.ALPHA)[:, None]
        window = dist + np.roll(dist, 1, axis=1) + np.roll(dist, -1, axis=1)
        hour = window.argmax(axis=1)
        out["best_send_hour"] = (hour, window[np.arange(len(hour)), hour], n)
        return out

    def score(
        self, rows: Sequence[dict[str, Any]], stale: Sequence[Sequence[str]] | None = None
    ) -> list[dict[str, Score]]:
        """Every customer model for each feature row (stale: per row, the features past their SLA)."""
        return [{n: Score.model_validate(d) for n, d in scores.items()} for scores in self.score_raw(rows, stale)]

    def score_raw(
        self, rows: Sequence[dict[str, Any]], stale: Sequence[Sequence[str]] | None = None
    ) -> list[dict[str, dict[str, Any]]]:
        """As :meth:`score`, as plain dicts (the batch path stores them as JSON without building models)."""
        out: list[dict[str, dict[str, Any]]] = [{} for _ in rows]
        if not rows:
            return out
        shared = self._shared_penalties(rows, stale or [[] for _ in rows])
        inp = self.inputs(rows)
        arrays = self.core(inp)
        for name in self.binary:
            p, top, effects = arrays[name]
            vec = self.vectorizers[name]
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
                conf, problems = self._confidence(name, extra)
                out[i][name] = dict(
                    name=name,
                    value=round(float(p[i]), 4),
                    confidence=conf,
                    model_version=self.versions[name],
                    reasons=problems + self._drivers(top[i], effects[i], vec, row),
                    label=None,
                )
        if "clv" in arrays:
            self._clv(rows, out, shared, arrays["clv"], arrays.get("clv_btyd"))
        if "clv_horizons" in arrays:
            self._clv_horizons(out, arrays["clv_horizons"], arrays.get("clv_btyd"))
        if "next_category" in arrays and inp.sequence is not None:
            self._next_category(rows, out, shared, arrays["next_category"], inp.sequence)
        if "best_send_hour" in arrays:
            self._send_hour(rows, out, shared, arrays["best_send_hour"], inp.hours)
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

    def _confidence(self, name: str, penalties: Sequence[tuple[float, str]]) -> tuple[float, list[dict[str, Any]]]:
        quality = min(max((self.quality.get(name, 0.5) - 0.5) / 0.5, 0.2), 1.0)
        conf = quality * math.prod(m for m, _ in penalties)
        reasons = [dict(feature="data_quality", text=why, direction="-", size=round(1 - m, 3)) for m, why in penalties]
        return round(min(max(conf, 0.01), 1.0), 3), reasons

    def _drivers(
        self, top: np.ndarray, effects: np.ndarray, vec: Vectorizer, row: dict[str, Any], unit: str = ""
    ) -> list[dict[str, Any]]:
        cols = vec.columns
        return [
            dict(
                feature=cols[j].feature,
                text=f"{vec.phrase(cols[j], row)}: {_signed(float(e))}{unit}",
                direction="+" if e > 0 else "-",
                size=round(abs(float(e)), 4),
            )
            for j, e in zip(top, effects, strict=True)
            if e != 0
        ]

    def _clv(
        self,
        rows: Sequence[dict[str, Any]],
        out: list[dict[str, dict[str, Any]]],
        shared: list[list[tuple[float, str]]],
        arrays: tuple[np.ndarray, ...],
        btyd_arrays: tuple[np.ndarray, ...] | None,
    ) -> None:
        """The CLV score: BG/NBD+GG's forecast for a buyer when the backtest chose it, else the hurdle model."""
        value, top, effects, p_buy, spend = arrays
        vec = self.vectorizers["clv"]
        for i, row in enumerate(rows):
            conf, problems = self._confidence("clv", shared[i])
            if btyd_arrays is not None and btyd_arrays[0][i]:
                assert self.clv_btyd is not None
                text = (
                    f"BG/NBD+GG (chosen by backtest for customers with an order): {btyd_arrays[1][i]:.2f} expected "
                    f"purchases in {self.clv_btyd.horizon_days} days x ${btyd_arrays[2][i]:,.0f} per purchase"
                )
                drivers: list[dict[str, Any]] = []
            else:
                text = f"P(buys in 60 days) {p_buy[i]:.0%} x expected order value ${spend[i]:,.0f}"
                drivers = self._drivers(top[i], effects[i], vec, row, unit=" $")
            model = dict(feature="clv", text=text, direction="+", size=round(float(value[i]), 2))
            out[i]["clv"] = dict(
                name="clv",
                value=round(float(value[i]), 2),
                confidence=conf,
                model_version=self.versions["clv"],
                reasons=[*problems, model, *drivers],
                label=None,
            )

    def _clv_horizons(
        self,
        out: list[dict[str, dict[str, Any]]],
        values: dict[str, np.ndarray],
        btyd_arrays: tuple[np.ndarray, ...] | None,
    ) -> None:
        """One score per configured horizon and the lifetime value, with the CLV score's confidence and data caveats.

        A horizon the customer's model cannot give (NaN: no hurdle projection for a customer without orders)
        is left out for that customer."""
        proj, b = self.clv_projection, self.clv_btyd
        hurdle_carry = None
        if proj is not None:
            hurdle_carry = (
                proj.annual_discount_rate,
                proj.lifetime_years,
                dict(
                    feature="clv",
                    text=f"buying carries over between {proj.period_days}-day periods: {proj.q_buyer:.0%} of buyers "
                    f"buy again, {proj.q_other:.0%} of the others start",
                    direction="+",
                    size=round(proj.q_buyer, 4),
                ),
            )
        btyd_carry = None
        if b is not None:
            btyd_carry = (
                b.annual_discount_rate,
                b.lifetime_years,
                dict(
                    feature="clv",
                    text="BG/NBD+GG forecast: expected purchases over the horizon x expected spend per purchase",
                    direction="+",
                    size=round(b.model.purchases.r, 4),
                ),
            )
        for i, scores in enumerate(out):
            base = scores["clv"]
            problems = [r for r in base["reasons"] if r["feature"] == "data_quality"]
            carry = btyd_carry if btyd_arrays is not None and btyd_arrays[0][i] else hurdle_carry
            if carry is None:
                continue
            rate, years, reason = carry
            for name, v in values.items():
                if not np.isfinite(v[i]):
                    continue
                why = (
                    f"{years:g} years of expected spend discounted at {rate:.0%} a year"
                    if name == horizons.LIFETIME
                    else f"expected spend in the next {name[4:-1]} days"
                )
                scores[name] = dict(
                    name=name,
                    value=round(float(v[i]), 2),
                    confidence=base["confidence"],
                    model_version=base["model_version"],
                    reasons=[
                        *problems,
                        dict(feature="clv", text=why, direction="+", size=round(float(v[i]), 2)),
                        reason,
                    ],
                    label=None,
                )

    def _next_category(
        self,
        rows: Sequence[dict[str, Any]],
        out: list[dict[str, dict[str, Any]]],
        shared: list[list[tuple[float, str]]],
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
        inp: category.SequenceInputs,
    ) -> None:
        best, index, effects = arrays
        assert self.next_category is not None
        classes = self.next_category.categories
        known = set(classes)
        for i, row in enumerate(rows):
            label = classes[int(index[i])]
            penalties = list(shared[i])
            seen = set(row.get("categories") or []) | set(row.get("category_affinity") or {})
            unknown = sorted(seen - known)
            if unknown:
                penalties.append((0.7, f"categories unknown to the model: {', '.join(unknown)}"))
            if not seen:
                penalties.append((0.4, "no category history: the prediction follows what most customers buy next"))
            conf, problems = self._confidence("next_category", penalties)
            out[i]["next_category"] = dict(
                name="next_category",
                value=round(float(best[i]), 4),
                label=label,
                confidence=conf,
                model_version=self.versions["next_category"],
                reasons=problems + self._category_drivers(row, label, effects[i], inp.days[i]),
            )

    def _category_drivers(
        self, row: dict[str, Any], label: str, effects: np.ndarray, days: float
    ) -> list[dict[str, Any]]:
        """Top terms by their effect on p(label): the last order's complements, recent views, long-run taste."""
        assert self.next_category is not None
        classes = self.next_category.categories
        k = len(classes)
        target = label.replace("_", " ")
        views = row.get("category_views_30d") or {}
        affinity = row.get("category_affinity") or {}
        drivers = []
        for j in np.argsort(-np.abs(effects), kind="stable")[:TOP_REASONS]:
            e = float(effects[j])
            if abs(e) < 1e-4:
                break
            if j < k:
                text = f"bought {classes[j].replace('_', ' ')} {days:.0f} days ago"
            elif j < 2 * k:
                c = classes[j - k]
                text = f"viewed {c.replace('_', ' ')} {int(views.get(c, 0))}x in 30 days"
            elif j == 2 * k:
                text = f"says they are into {row.get('declared_interest')}"
            else:
                top = max(sorted(affinity), key=lambda c: affinity[c]) if affinity else None
                text = (
                    f"{affinity[top]:.0%} of their past-year interest is in {top.replace('_', ' ')}"
                    if top
                    else "no past-year interest recorded"
                )
            drivers.append(
                dict(
                    feature=_CATEGORY_TERMS[j // k] if j < 2 * k else _CATEGORY_TERMS[j - 2 * k + 2],
                    text=f"{text}: {target} {_signed(e)}",
                    direction="+" if e > 0 else "-",
                    size=round(abs(e), 4),
                )
            )
        return drivers

    def _send_hour(
        self,
        rows: Sequence[dict[str, Any]],
        out: list[dict[str, dict[str, Any]]],
        shared: list[list[tuple[float, str]]],
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
        hist: np.ndarray,
    ) -> None:
        hours, mass, counts = arrays
        for i, row in enumerate(rows):
            hour, n = int(hours[i]), float(counts[i])
            penalties = list(shared[i])
            if str(row.get("business")) not in self.priors:
                penalties.append(
                    (0.7, f"line of business {row.get('business')!r} unknown: the tenant-wide rhythm is used")
                )
            evidence = n / (n + sendtime.ALPHA)
            peaked = min(max((float(mass[i]) - 0.125) / 0.5, 0.0), 1.0)
            conf, problems = self._confidence("best_send_hour", penalties)
            conf = round(max(0.01, conf * (0.3 + 0.7 * evidence) * (0.5 + 0.5 * peaked)), 3)
            near = int(hist[i, hour] + hist[i, (hour - 1) % 24] + hist[i, (hour + 1) % 24])
            reasons = [
                *problems,
                dict(
                    feature="active_hours",
                    text=f"{near} of {int(n)} recent actions within an hour of {hour:02d}:00 local time",
                    direction="+",
                    size=round(near / n, 3) if n else 0.0,
                ),
                dict(
                    feature="active_hours",
                    text=f"own history weighs {evidence:.0%}, the typical "
                    f"{row.get('business') or 'customer'} rhythm {1 - evidence:.0%}",
                    direction="+",
                    size=round(1 - evidence, 3),
                ),
            ]
            out[i]["best_send_hour"] = dict(
                name="best_send_hour",
                value=float(hour),
                label=f"{hour:02d}:00 local",
                confidence=conf,
                model_version=self.versions["best_send_hour"],
                reasons=reasons,
            )


@dataclass
class Inputs:
    """Numeric inputs for a batch: linear-model matrices, next-category terms, hour histograms, prior index."""

    x: dict[str, np.ndarray]
    sequence: category.SequenceInputs | None  # None without an active next_category model
    hours: np.ndarray
    business: np.ndarray
    rfm: tuple[btyd.RFM, np.ndarray] | None = None  # BG/NBD summary and who has ordered, when BG/NBD+GG is chosen


def _signed(x: float) -> str:
    return f"{x:+.2f}" if abs(x) >= 0.01 else f"{x:+.3f}" if abs(x) >= 0.001 else f"{x:+.1e}"
