"""Pick the tenant's CLV model by backtest: the hurdle model, or BG/NBD + Gamma-Gamma where that does better.

BG/NBD+GG (`btyd.py`) is the textbook value baseline; a project model that cannot beat it on the tenant's own
held-out window should not be used in its place. BG/NBD+GG models only customers who have bought (its clock
starts at a first order, and order spend is its non-contractual spend), so it is judged, and used, only for
customers with an order before the cutoff; everyone else (a B2B account paying by contract, a new sign-up)
keeps the hurdle model's value whichever wins. Both are judged on the same buyers and window (RMSE of the
expected spend, MAE as tie-break, paired bootstrap intervals); the winner is stored as ``chosen``.
BG/NBD+GG reads each customer's (frequency, recency, T, monetary) from the point-in-time features, so fitting
(features as of the test cutoff: purchases strictly before it), the backtest and scoring share one summary:
frequency = orders - 1, recency = first-to-last order, T = first order to now, monetary = average order value
(all orders, an approximation of the repeat-order mean). Customers without an order are outside its domain
(``buyer`` False): :func:`blend` gives them the hurdle value. Horizons sum expected spend over the horizon;
the lifetime value sums it per 30-day period up to ``lifetime_years``, each period discounted from its
middle at the annual rate (as `horizons.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from hyperjourney.scoring import btyd, horizons, metrics

Choice = Literal["hurdle", "bgnbd_gg"]
UNIT_DAYS = 7.0
PERIOD_DAYS = 30


class BTYDValue(BaseModel):
    """The fitted BG/NBD+GG and what the scorer needs to turn it into CLV scores (stored in the CLV artifact)."""

    model: btyd.BTYDModel
    horizon_days: int = Field(gt=0)
    horizons_days: list[int]
    annual_discount_rate: float = Field(ge=0)
    lifetime_years: float = Field(gt=0)


def summary(rows: Sequence[dict[str, Any]]) -> tuple[btyd.RFM, np.ndarray]:
    """The BTYD summary of each feature row (in weeks) and which rows have an order at all."""
    n = len(rows)
    freq, rec, age, mon = (np.zeros(n) for _ in range(4))
    buyer = np.zeros(n, dtype=bool)
    for i, f in enumerate(rows):
        orders, first = int(f.get("orders_total") or 0), f.get("days_since_first_order")
        if orders <= 0 or first is None:
            continue
        last = f.get("days_since_last_order")
        last = float(first if last is None else last)
        buyer[i] = True
        freq[i] = orders - 1
        age[i] = float(first) / UNIT_DAYS
        rec[i] = max(float(first) - last, 0.0) / UNIT_DAYS
        mon[i] = float(f.get("avg_order_value") or 0.0) if orders > 1 else 0.0
    customers = [str(f.get("customer_id", i)) for i, f in enumerate(rows)]
    return btyd.RFM(customers=customers, frequency=freq, recency=rec, T=age, monetary=mon), buyer


def _spend(model: btyd.BTYDModel, data: btyd.RFM, buyer: np.ndarray, days: float) -> np.ndarray:
    if days <= 0:
        return np.zeros(len(buyer))
    return np.where(buyer, btyd.forecast(model, data, days).spend, 0.0)


def fit(
    rows: Sequence[dict[str, Any]], horizon_days: int, horizons_days: Sequence[int], rate: float, years: float
) -> BTYDValue:
    """Fit on the customers with an order (raises ValueError when Gamma-Gamma has too few repeat buyers)."""
    data, buyer = summary(rows)
    keep = btyd.RFM(
        customers=[c for c, b in zip(data.customers, buyer, strict=True) if b],
        frequency=data.frequency[buyer],
        recency=data.recency[buyer],
        T=data.T[buyer],
        monetary=data.monetary[buyer],
    )
    model = btyd.fit(keep, unit_days=UNIT_DAYS)
    if model.spend.q <= 1:
        raise ValueError("monetary: Gamma-Gamma fit has q <= 1, so no finite population mean spend")
    return BTYDValue(
        model=model,
        horizon_days=horizon_days,
        horizons_days=sorted(set(horizons_days)),
        annual_discount_rate=rate,
        lifetime_years=years,
    )


def values(v: BTYDValue, rows: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """``clv`` (spend over the model horizon), expected purchases and spend per purchase, and every horizon."""
    return values_of(v, *summary(rows))


def values_of(v: BTYDValue, data: btyd.RFM, buyer: np.ndarray) -> dict[str, np.ndarray]:
    """As :func:`values`, from a :func:`summary` (the scorer computes it with its other inputs)."""
    fc = btyd.forecast(v.model, data, v.horizon_days)
    out = {
        "clv": np.where(buyer, fc.spend, 0.0),
        "purchases": np.where(buyer, fc.purchases, 0.0),
        "per_purchase": btyd.expected_spend_per_purchase(v.model.spend, data.frequency, data.monetary),
    }
    for days in v.horizons_days:
        out[horizons.score_name(days)] = _spend(v.model, data, buyer, days)
    periods = int(np.ceil(v.lifetime_years * 365 / PERIOD_DAYS))
    ends = np.minimum((np.arange(periods) + 1) * PERIOD_DAYS, v.lifetime_years * 365)
    cumulative = np.stack([_spend(v.model, data, buyer, float(e)) for e in ends], axis=1)
    per_period = np.diff(np.concatenate([np.zeros((len(buyer), 1)), cumulative], axis=1), axis=1)
    years = (np.arange(periods) + 0.5) * PERIOD_DAYS / 365
    out[horizons.LIFETIME] = per_period @ ((1 + v.annual_discount_rate) ** -years)
    return out


def blend(hurdle: dict[str, np.ndarray], bgnbd: dict[str, np.ndarray], buyer: np.ndarray) -> dict[str, np.ndarray]:
    """Per score name, BG/NBD+GG's value for customers with an order and the hurdle model's for the others.

    A name only one model gives (horizons without a hurdle projection) is NaN where the other would apply:
    the scorer leaves that score out for those customers rather than invent a value."""
    missing = np.full(len(buyer), np.nan)
    return {
        name: np.where(buyer, bgnbd.get(name, missing), hurdle.get(name, missing))
        for name in sorted(hurdle.keys() | bgnbd.keys())
    }


class Judgement(BaseModel):
    """Both models on the held-out window, over the population BG/NBD+GG models (customers with an order
    before the cutoff): RMSE and MAE of the expected spend, and paired bootstrap intervals of hurdle − BG/NBD+GG
    (negative: the hurdle model errs less)."""

    population: str = "customers with an order before the cutoff"
    n: int
    hurdle: dict[str, float]
    bgnbd_gg: dict[str, float] | None
    rmse_diff_ci: tuple[float, float] | None = None
    mae_diff_ci: tuple[float, float] | None = None


def judge(
    actual: np.ndarray, hurdle: np.ndarray, bgnbd: np.ndarray | None, buyer: np.ndarray, *, resamples: int = 300
) -> Judgement:
    """Score both on the buyers of the held-out window (``bgnbd`` None: BG/NBD+GG could not be fitted)."""
    y, h = actual[buyer], hurdle[buyer]
    if not len(y):
        return Judgement(n=0, hurdle={}, bgnbd_gg=None)
    ours = {"rmse": metrics.rmse(y, h), "mae": metrics.mae(y, h)}
    if bgnbd is None:
        return Judgement(n=len(y), hurdle=ours, bgnbd_gg=None)
    b = bgnbd[buyer]
    return Judgement(
        n=len(y),
        hurdle=ours,
        bgnbd_gg={"rmse": metrics.rmse(y, b), "mae": metrics.mae(y, b)},
        rmse_diff_ci=metrics.paired_interval(metrics.rmse, y, h, b, resamples=resamples),
        mae_diff_ci=metrics.paired_interval(metrics.mae, y, h, b, resamples=resamples),
    )


def choose(j: Judgement, force: Choice | None = None) -> Choice:
    """The hurdle model is kept only where it beats BG/NBD+GG on its population (lower RMSE, MAE breaks a tie);
    ``force`` overrides (a tenant's operator, or a test)."""
    if force is not None:
        return force
    if j.bgnbd_gg is None:
        return "hurdle"
    b, h = j.bgnbd_gg, j.hurdle
    return "bgnbd_gg" if (b["rmse"], b["mae"]) < (h["rmse"], h["mae"]) else "hurdle"


def _ci(ci: tuple[float, float] | None) -> str:
    return f" [{ci[0]:+.1f}, {ci[1]:+.1f}]" if ci else ""


def why(chosen: Choice, j: Judgement, forced: bool) -> str:
    """The sentence `models show clv` and `models backtest` print about the choice."""
    if j.bgnbd_gg is None:
        return "the hurdle model is used for everyone: BG/NBD+GG could not be fitted on this tenant"
    h, b = j.hurdle, j.bgnbd_gg
    figures = (
        f"on {j.n:,} {j.population}: RMSE hurdle {h['rmse']:.1f} vs BG/NBD+GG {b['rmse']:.1f} "
        f"(Δ{_ci(j.rmse_diff_ci)}), MAE {h['mae']:.1f} vs {b['mae']:.1f} (Δ{_ci(j.mae_diff_ci)})"
    )
    rest = "; customers without an order keep the hurdle model's value"
    if forced:
        who = "BG/NBD+GG for customers with an order" if chosen == "bgnbd_gg" else "the hurdle model for everyone"
        return f"{who} (forced); {figures}" + (rest if chosen == "bgnbd_gg" else "")
    if chosen == "bgnbd_gg":
        return f"BG/NBD+GG is used for customers with an order: the hurdle model could not beat it, {figures}{rest}"
    return f"the hurdle model is used for everyone: it beats BG/NBD+GG {figures}"
