"""CLV over configurable horizons and a discounted lifetime value, projected from the 60-day hurdle model.

Why a projection rather than one model per horizon: a 365-day model needs training outcomes a year long that
end before the held-out window, i.e. two years of history, which most tenants lack. Instead the 60-day hurdle
model gives, per customer, P(buys in a period) and the spend when they buy; a two-state Markov chain fitted on
consecutive training windows says how buying carries over from one period to the next:
q_buyer = P(buys next period | bought this one), q_other = P(buys next period | did not). Both are scaled for
each customer by P(buy) / the training base rate (capped at 1), so a customer half as likely as the average to
buy now is taken as half as likely to return, rather than drifting to the population's rate after one period.
P(buys in period k) follows pi_{k+1} = pi_k q_buyer + (1 - pi_k) q_other from pi_0 = P(buy), and the expected
spend of period k is pi_k x spend (the spend when buying is held constant). A horizon sums whole periods and
the covered fraction of the last one; the lifetime value sums periods up to a cap (lifetime_years), each
discounted at the annual rate from the middle of the period. Longer horizons never give less (every term is
non-negative); the lifetime value beats the 365-day value only for customers likely to keep buying.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
from pydantic import BaseModel, Field

from hyperjourney.features.training import Example

LIFETIME = "clv_lifetime"


class Projection(BaseModel):
    """What the scorer needs to turn the period model into horizon and lifetime values (stored in the artifact)."""

    period_days: int = Field(gt=0)
    q_buyer: float = Field(ge=0, le=1, description="population rate, for the reason text")
    q_other: float = Field(ge=0, le=1, description="population rate, for the reason text")
    horizons_days: list[int]
    annual_discount_rate: float = Field(ge=0)
    lifetime_years: float = Field(gt=0)
    pairs: int = Field(ge=0, description="consecutive-window pairs the transition rates were fitted on")
    coef: list[float] = Field(min_length=3, max_length=3, description="logit P(buy next): intercept, bought, logit p")


def score_name(days: int) -> str:
    return f"clv_{days}d"


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(p / (1 - p)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def fit(
    train: Sequence[Example],
    p_buy: np.ndarray,
    period: timedelta,
    horizons_days: Sequence[int],
    annual_discount_rate: float,
    lifetime_years: float,
) -> Projection | None:
    """Transition model from each customer's examples at cutoffs one period apart; None without such pairs.

    ``p_buy``: the period model's P(buy) for each training example, in order.
    """
    by_key = {(e.customer_id, e.cutoff): (e.outcome.spend > 0, float(p)) for e, p in zip(train, p_buy, strict=True)}
    rows, nxt = [], []
    for (cid, cut), (bought, p) in by_key.items():
        later = by_key.get((cid, cut + period))
        if later is not None:
            rows.append((1.0, float(bought), p))
            nxt.append(float(later[0]))
    if not rows:
        return None
    x = np.array(rows)
    x[:, 2] = _logit(x[:, 2])
    y = np.array(nxt)
    w = np.zeros(3)
    for _ in range(25):  # Newton steps with a small ridge, so a tenant with few buyers still converges
        mu = _sigmoid(x @ w)
        hess = x.T @ (x * (mu * (1 - mu))[:, None]) + 1e-3 * np.eye(3)
        w -= np.linalg.solve(hess, x.T @ (mu - y) + 1e-3 * w)
    bought = x[:, 1] == 1
    return Projection(
        period_days=period.days,
        q_buyer=round(float(y[bought].mean()) if bought.any() else 0.0, 4),
        q_other=round(float(y[~bought].mean()) if (~bought).any() else 0.0, 4),
        horizons_days=sorted(set(horizons_days)),
        annual_discount_rate=annual_discount_rate,
        lifetime_years=lifetime_years,
        pairs=len(rows),
        coef=[round(float(c), 6) for c in w],
    )


def _buying(p_buy: np.ndarray, proj: Projection, periods: int) -> np.ndarray:
    """P(buys in period k) for k < periods, one row per customer."""
    pi = np.empty((len(p_buy), periods))
    pi[:, 0] = p_buy
    a, b, c = proj.coef
    z = a + c * _logit(p_buy)
    q_buyer, q_other = _sigmoid(z + b), _sigmoid(z)
    for k in range(1, periods):
        pi[:, k] = pi[:, k - 1] * q_buyer + (1 - pi[:, k - 1]) * q_other
    return pi


def _weights(span_days: float, period_days: int) -> np.ndarray:
    """1 for each whole period inside the span, the covered fraction for the last one."""
    n = span_days / period_days
    w = np.ones(math.ceil(n))
    if n % 1:
        w[-1] = n % 1
    return w


def project(p_buy: np.ndarray, spend: np.ndarray, proj: Projection) -> dict[str, np.ndarray]:
    """Expected spend per configured horizon (``clv_<days>d``) and the discounted lifetime value, per customer."""
    life = _weights(proj.lifetime_years * 365, proj.period_days)
    longest = max(len(life), *(len(_weights(d, proj.period_days)) for d in proj.horizons_days))
    per_period = _buying(p_buy, proj, longest) * spend[:, None]
    out = {}
    for days in proj.horizons_days:
        w = _weights(days, proj.period_days)
        out[score_name(days)] = per_period[:, : len(w)] @ w
    years = (np.arange(len(life)) + 0.5) * proj.period_days / 365
    discount = (1 + proj.annual_discount_rate) ** -years
    out[LIFETIME] = per_period[:, : len(life)] @ (life * discount)
    return out
