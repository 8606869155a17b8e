"""Buy-till-you-die value model: BG/NBD purchases with Gamma-Gamma spend, fitted by maximum likelihood.

The textbook customer-lifetime-value baseline (Fader, Hardie & Lee 2005): each customer buys at a Poisson
rate λ ~ Gamma(r, α) and may drop out after any purchase with probability p ~ Beta(a, b); spend per purchase
is Gamma with a Gamma-distributed scale (p, q, v). From (frequency, recency, T, monetary) alone it gives
expected purchases, the chance of any purchase, and expected spend over any horizon, for every customer.
Time is measured in ``unit_days`` (weeks by default) to keep the optimiser well scaled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

Array = NDArray[np.float64]


class RFM(BaseModel):
    """Per customer, in model time units: repeat purchases, first-to-last purchase, first purchase to cut-off,
    and the mean spend of the repeat purchases (0 without any)."""

    model_config = {"arbitrary_types_allowed": True}

    customers: list[str]
    frequency: Array
    recency: Array
    T: Array
    monetary: Array


class BGNBD(BaseModel):
    r: float
    alpha: float
    a: float
    b: float


class GammaGamma(BaseModel):
    p: float
    q: float
    v: float


class BTYDModel(BaseModel):
    purchases: BGNBD
    spend: GammaGamma
    unit_days: float


def rfm(transactions: Iterable[tuple[str, datetime, float]], cutoff: datetime, *, unit_days: float = 7.0) -> RFM:
    """Summarise purchases strictly before ``cutoff``; purchases on the same day count once (spend summed)."""
    days: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    for customer, when, amount in transactions:
        if when < cutoff:
            days[customer][when.replace(hour=0, minute=0, second=0, microsecond=0)] += amount
    customers = sorted(days)
    freq, rec, age, mon = [], [], [], []
    for c in customers:
        dates = sorted(days[c])
        unit = 86_400.0 * unit_days
        freq.append(len(dates) - 1)
        rec.append((dates[-1] - dates[0]).total_seconds() / unit)
        age.append((cutoff - dates[0]).total_seconds() / unit)
        repeat = [days[c][d] for d in dates[1:]]
        mon.append(float(np.mean(repeat)) if repeat else 0.0)
    return RFM(
        customers=customers,
        frequency=np.array(freq, dtype=float),
        recency=np.array(rec),
        T=np.array(age),
        monetary=np.array(mon),
    )


def bgnbd_loglik(params: BGNBD, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """Each customer's log-likelihood (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return np.asarray(a1 + a2 + np.logaddexp(a3, a4), dtype=float)


def gamma_gamma_loglik(params: GammaGamma, x: ArrayLike, m: ArrayLike) -> Array:
    """Log-likelihood of each repeat buyer's mean spend ``m`` over ``x`` purchases (Fader, Hardie & Lee 2005b)."""
    p, q, v = params.p, params.q, params.v
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    return np.asarray(
        gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
        + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v),
        dtype=float,
    )  # fmt: skip


def _fit(negloglik: object, start: list[float]) -> NDArray[np.float64]:
    """Minimise over log-parameters so every parameter stays positive."""
    result = minimize(
        negloglik, np.log(start), method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-7, "fatol": 1e-9}
    )
    return np.asarray(np.exp(result.x), dtype=float)


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BGNBD:
    xs, txs, Ts = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(xs) == 0:
        raise ValueError("frequency: no customers to fit BG/NBD on")

    def nll(logp: NDArray[np.float64]) -> float:
        r, alpha, a, b = np.exp(logp)
        return -float(bgnbd_loglik(BGNBD(r=r, alpha=alpha, a=a, b=b), xs, txs, Ts).sum())

    r, alpha, a, b = _fit(nll, [1.0, max(float(Ts.mean()), 1.0), 1.0, 1.0])
    return BGNBD(r=r, alpha=alpha, a=a, b=b)


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike) -> GammaGamma:
    xs, ms = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (xs > 0) & (ms > 0)
    if keep.sum() < 2:
        raise ValueError("monetary: Gamma-Gamma needs at least two customers with repeat purchases")
    xs, ms = xs[keep], ms[keep]

    def nll(logp: NDArray[np.float64]) -> float:
        p, q, v = np.exp(logp)
        return -float(gamma_gamma_loglik(GammaGamma(p=p, q=q, v=v), xs, ms).sum())

    p, q, v = _fit(nll, [1.0, 2.0, float(ms.mean())])
    return GammaGamma(p=p, q=q, v=v)


def p_alive(params: BGNBD, x: Array, t_x: Array, T: Array) -> Array:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return np.asarray(1.0 / (1.0 + odds), dtype=float)


def expected_purchases(params: BGNBD, t: float, x: Array, t_x: Array, T: Array) -> Array:
    """E[purchases in (T, T + t]] given the customer's history (FHL 2005, eq. 10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    ratio = (alpha + T) / (alpha + T + t)
    body = 1 - ratio ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    return np.asarray((a + b + x - 1) / (a - 1) * body * p_alive(params, x, t_x, T), dtype=float)


def prob_any_purchase(params: BGNBD, t: float, x: Array, t_x: Array, T: Array) -> Array:
    """P(at least one purchase in (T, T + t]): alive, and λ | history ~ Gamma(r + x, α + T) fires in t."""
    none_if_alive = ((params.alpha + T) / (params.alpha + T + t)) ** (params.r + x)
    return np.asarray(p_alive(params, x, t_x, T) * (1 - none_if_alive), dtype=float)


def expected_spend_per_purchase(params: GammaGamma, x: Array, m: Array) -> Array:
    """Posterior mean spend per purchase; customers without repeats get the population mean."""
    p, q, v = params.p, params.q, params.v
    population = p * v / (q - 1) if q > 1 else float("nan")
    weight = p * x / (p * x + q - 1)
    return np.asarray(np.where(x > 0, (1 - weight) * population + weight * m, population), dtype=float)


def fit(data: RFM, *, unit_days: float = 7.0) -> BTYDModel:
    return BTYDModel(
        purchases=fit_bgnbd(data.frequency, data.recency, data.T),
        spend=fit_gamma_gamma(data.frequency, data.monetary),
        unit_days=unit_days,
    )


class Forecast(BaseModel):
    model_config = {"arbitrary_types_allowed": True}

    customers: list[str]
    purchases: Array
    p_purchase: Array
    spend: Array


def forecast(model: BTYDModel, data: RFM, horizon_days: float) -> Forecast:
    """Expected purchases, the chance of any purchase and expected spend over the next ``horizon_days``."""
    t = horizon_days / model.unit_days
    x, t_x, T = data.frequency, data.recency, data.T
    n = expected_purchases(model.purchases, t, x, t_x, T)
    return Forecast(
        customers=data.customers,
        purchases=n,
        p_purchase=prob_any_purchase(model.purchases, t, x, t_x, T),
        spend=n * expected_spend_per_purchase(model.spend, x, data.monetary),
    )
