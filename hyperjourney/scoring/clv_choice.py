"""Pick the tenant's CLV model by backtest: the hurdle model, or BG/NBD + Gamma-Gamma where that does better.

BG/NBD+GG (`btyd.py`) is the textbook value baseline; a project model that cannot beat it on the tenant's own
held-out window should not be used in its place. Both are judged on the same customers and window (RMSE of
the expected spend, MAE as tie-break); the winner is stored as ``chosen`` and scoring uses it.
BG/NBD+GG reads each customer's (frequency, recency, T, monetary) from the point-in-time features, so fitting
(features as of the test cutoff: purchases strictly before it), the backtest and scoring share one summary:
frequency = orders - 1, recency = first-to-last order, T = first order to now, monetary = average order value
(all orders, an approximation of the repeat-order mean). Customers without an order get 0: the model starts
at a first purchase. Horizons sum expected spend over the horizon; the lifetime value sums it per 30-day
period up to ``lifetime_years``, each period discounted from its middle at the annual rate (as `horizons.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from hyperjourney.scoring import btyd, horizons

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


def choose(hurdle: dict[str, float], bgnbd: dict[str, float] | None, force: Choice | None = None) -> Choice:
    """Lower RMSE wins, MAE breaks a tie; ``force`` overrides (a tenant's operator, or a test)."""
    if force is not None:
        return force
    if bgnbd is None:
        return "hurdle"
    key = (bgnbd["rmse"], bgnbd["mae"]) < (hurdle["rmse"], hurdle["mae"])
    return "bgnbd_gg" if key else "hurdle"


def why(chosen: Choice, hurdle: dict[str, float], bgnbd: dict[str, float] | None, forced: bool) -> str:
    """The sentence `models show clv` prints about the choice."""
    if bgnbd is None:
        return "the hurdle model is used: BG/NBD+GG could not be fitted on this tenant"
    h, b = hurdle["rmse"], bgnbd["rmse"]
    if forced:
        return f"{'BG/NBD+GG' if chosen == 'bgnbd_gg' else 'the hurdle model'} is used (forced); holdout RMSE " + (
            f"BG/NBD+GG {b:.1f}, hurdle {h:.1f}"
        )
    if chosen == "bgnbd_gg":
        return f"BG/NBD+GG is used: its holdout RMSE {b:.1f} beats the hurdle model's {h:.1f}"
    return f"the hurdle model is used: its holdout RMSE {h:.1f} beats BG/NBD+GG's {b:.1f}"
