"""BG/NBD + Gamma-Gamma: the likelihoods equal hand-computed closed forms, and fitting recovers the
parameters a simulation was drawn from."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from hyperjourney.scoring.btyd import (
    BGNBD,
    GammaGamma,
    bgnbd_loglik,
    expected_purchases,
    fit,
    fit_bgnbd,
    fit_gamma_gamma,
    forecast,
    gamma_gamma_loglik,
    rfm,
)


def test_bgnbd_likelihood_matches_hand_computed_cases() -> None:
    # x = 0: the customer bought nothing more, LL = r log(α / (α + T))
    params = BGNBD(r=0.5, alpha=2.0, a=1.5, b=3.0)
    assert bgnbd_loglik(params, [0], [0], [4.0])[0] == pytest.approx(0.5 * math.log(2 / 6), abs=1e-12)
    # x = 1, t_x = 1, T = 2, all parameters 1: LL = log(b/(a+b)) + log((α+T)^-2 + a/b (α+t_x)^-2) = log(13/72)
    ones = BGNBD(r=1, alpha=1, a=1, b=1)
    assert bgnbd_loglik(ones, [1], [1.0], [2.0])[0] == pytest.approx(math.log(13 / 72), abs=1e-12)


def test_gamma_gamma_likelihood_matches_a_hand_computed_case() -> None:
    # p = 1, q = 2, v = 1, one purchase of 1: Γ(3)/(Γ(1)Γ(2)) · 1 · 1 · 1 / 2^3 = 1/4
    assert gamma_gamma_loglik(GammaGamma(p=1, q=2, v=1), [1], [1.0])[0] == pytest.approx(math.log(0.25), abs=1e-12)


def _simulate(n: int, truth: BGNBD, horizon: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw each customer's λ and p, a Poisson purchase stream from time 0, dropping out after a purchase
    with probability p; returns repeat purchases, time of the last one and the observation length."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(truth.r, 1 / truth.alpha, size=n)
    drop = rng.beta(truth.a, truth.b, size=n)
    T = rng.uniform(horizon / 2, horizon, size=n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < drop[i]:
                break
    return x, t_x, T


def test_fitting_recovers_simulated_parameters() -> None:
    truth = BGNBD(r=0.8, alpha=4.0, a=0.8, b=2.5)
    x, t_x, T = _simulate(6000, truth, horizon=52.0, seed=11)
    fitted = fit_bgnbd(x, t_x, T)
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.2)
    assert fitted.a == pytest.approx(truth.a, rel=0.35)
    assert fitted.b == pytest.approx(truth.b, rel=0.35)
    # the fitted maximum beats the truth on the data (it is a maximum) but only slightly
    ll_fit = bgnbd_loglik(fitted, x, t_x, T).sum()
    ll_true = bgnbd_loglik(truth, x, t_x, T).sum()
    assert 0 <= ll_fit - ll_true < 10


def test_gamma_gamma_recovers_simulated_spend() -> None:
    rng = np.random.default_rng(5)
    p, q, v = 6.0, 4.0, 15.0
    n = 4000
    x = rng.integers(1, 8, size=n).astype(float)
    scale = rng.gamma(q, 1 / v, size=n)  # ν ~ Gamma(q, v)
    m = np.array([rng.gamma(p, 1 / s, size=int(k)).mean() for s, k in zip(scale, x, strict=True)])
    fitted = fit_gamma_gamma(x, m)
    assert fitted.p == pytest.approx(p, rel=0.15)
    assert fitted.q == pytest.approx(q, rel=0.25)
    assert fitted.v == pytest.approx(v, rel=0.3)


def test_forecast_from_transactions() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rng = np.random.default_rng(2)
    tx = []
    for c in range(300):
        gap = rng.uniform(5, 60)
        for k in range(int(rng.integers(1, 8))):
            tx.append((f"c{c}", start + timedelta(days=float(k * gap + rng.uniform(0, 3))), float(rng.uniform(10, 50))))
    data = rfm(tx, start + timedelta(days=365))
    model = fit(data)
    out = forecast(model, data, horizon_days=90)
    assert len(out.customers) == 300
    assert np.all(out.p_purchase < 1) and np.all(out.purchases >= 0)
    # frequent, recent buyers are expected to buy more than those who stopped long ago
    recent = (data.frequency >= 4) & (data.T - data.recency < 8)
    lapsed = (data.frequency >= 4) & (data.T - data.recency > 30)
    assert out.purchases[recent].mean() > 2 * out.purchases[lapsed].mean()
    longer = expected_purchases(model.purchases, 365 / 7, data.frequency, data.recency, data.T)
    assert np.all(longer >= out.purchases)


def test_cdnow_sample_gives_the_published_parameters() -> None:
    """Fader, Hardie & Lee (2005) report r = 0.243, α = 4.414, a = 0.793, b = 2.426 on this 2,357-customer sample."""
    import csv
    import io
    import zipfile

    from bench.wheels import LIFETIMES_WHEEL, WHEELS

    if not (WHEELS / LIFETIMES_WHEEL).exists():
        pytest.skip("the lifetimes wheel is missing: run `make wheels`")
    with zipfile.ZipFile(WHEELS / LIFETIMES_WHEEL) as zf:
        text = zf.read("lifetimes/datasets/cdnow_customers_summary.csv").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    x, t_x, T = (np.array([float(r[k]) for r in rows]) for k in ("frequency", "recency", "T"))
    fitted = fit_bgnbd(x, t_x, T)
    assert (round(fitted.r, 3), round(fitted.alpha, 3), round(fitted.a, 3), round(fitted.b, 3)) == (
        0.243, 4.414, 0.793, 2.426,
    )  # fmt: skip
