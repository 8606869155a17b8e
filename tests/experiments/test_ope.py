"""Off-policy estimators over arrays: equal to the Open Bandit Pipeline's formulas, written out here
independently, with streamed intervals, a cross-fitted reward model and an ESS warning."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from hyperjourney.experiments.ope import evaluate, poisson_bootstrap
from hyperjourney.experiments.reward_model import cross_fit_rewards


def _fixed_log(seed: int = 7, n: int = 400, k: int = 4, slots: int = 3):
    rng = np.random.default_rng(seed)
    behaviour = rng.dirichlet(np.ones(k), size=n)
    actions = np.array([rng.choice(k, p=b) for b in behaviour])
    positions = rng.integers(0, slots, size=n)
    pscores = behaviour[np.arange(n), actions]
    rewards = rng.binomial(1, 0.2 + 0.15 * actions / k).astype(float)
    target = rng.dirichlet(np.ones(k), size=(n, slots)).transpose(0, 2, 1)  # (n, K, L)
    q = rng.uniform(0, 0.5, size=(n, k, slots))
    return actions, rewards, pscores, positions, target, q


def _reference(actions, rewards, pscores, positions, target, q, tau):
    """OBP: iw = pi_e(a_i | x_i, pos_i) / pi_b; DR = E[sum_a pi_e q(x, a, pos) + iw (r - q(x, a_i, pos))]."""
    ips = snips_num = snips_den = dr = sdr = 0.0
    n = len(actions)
    for i in range(n):
        a, p, r = actions[i], positions[i], rewards[i]
        w = target[i, a, p] / pscores[i]
        base = sum(target[i, b, p] * q[i, b, p] for b in range(target.shape[1]))
        ips += w * r
        snips_num += w * r
        snips_den += w
        dr += base + w * (r - q[i, a, p])
        sdr += base + (w if w <= tau else 0.0) * (r - q[i, a, p])
    return {"ips": ips / n, "snips": snips_num / snips_den, "dr": dr / n, "switch_dr": sdr / n}


@pytest.mark.parametrize("tau", [1e9, 1.5])
def test_estimators_equal_the_reference_formulas(tau: float) -> None:
    actions, rewards, pscores, positions, target, q = _fixed_log()
    q_at_slot = q[np.arange(len(actions)), :, positions]
    report = evaluate(
        actions, rewards, pscores, target, positions=positions, estimated_rewards=q_at_slot, switch_tau=tau
    )
    expected = _reference(actions, rewards, pscores, positions, target, q, tau)
    for name, value in expected.items():
        assert report.get(name).value == pytest.approx(value, abs=1e-9, rel=0)
    if tau == 1.5:  # some weights exceed tau, so switch-DR must differ from DR
        assert abs(report.get("switch_dr").value - report.get("dr").value) > 1e-4


def test_every_estimator_has_an_interval_around_it_and_a_stochastic_target_works() -> None:
    actions, rewards, pscores, positions, target, _ = _fixed_log()
    report = evaluate(actions, rewards, pscores, target, positions=positions, bootstrap=300)
    for e in report.estimates:
        assert e.ci_low < e.value < e.ci_high
    assert report.reward_model == "per-action mean, 5-fold cross-fitted"


def test_effective_sample_size_warns_when_the_target_rarely_agrees() -> None:
    rng = np.random.default_rng(3)
    n, k = 2000, 10
    actions = rng.integers(0, k, size=n)
    pscores = np.full(n, 1 / k)
    rewards = rng.binomial(1, 0.3, size=n).astype(float)
    uniform = np.full((n, k), 1 / k)
    assert evaluate(actions, rewards, pscores, uniform, bootstrap=50).warning is None
    rare = np.zeros((n, k))
    rare[:, 0] = 1.0
    rare[:25] = np.eye(k)[actions[:25]]  # agrees with the log on a handful of rounds only
    rare[25:, 0] = 1.0
    report = evaluate(actions, rewards, pscores, rare, bootstrap=50, min_ess=500)
    assert report.warning is not None and "cannot be trusted" in report.warning
    assert report.effective_sample_size < 500


def test_bootstrap_memory_does_not_grow_with_resamples_times_rounds() -> None:
    n, b = 200_000, 200
    parts = {"ips": (np.random.default_rng(0).random(n), np.ones(n))}
    tracemalloc.start()
    poisson_bootstrap(parts, resamples=b, confidence=0.95, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 30e6  # a B×n weight matrix alone would be 320 MB


def test_cross_fitted_reward_model_learns_context_and_never_sees_its_own_round() -> None:
    rng = np.random.default_rng(1)
    n, k = 3000, 2
    x = rng.normal(size=n)
    actions = rng.integers(0, k, size=n)
    p_click = 1 / (1 + np.exp(-(2 * x * (2 * actions - 1))))
    rewards = rng.binomial(1, p_click).astype(float)
    q, name = cross_fit_rewards(actions, rewards, k, x[:, None], positions=np.zeros(n, dtype=np.int64))
    assert name == "logistic, 5-fold cross-fitted"
    truth = 1 / (1 + np.exp(-(2 * x[:, None] * (2 * np.arange(k) - 1))))
    assert np.abs(q - truth).mean() < 0.05  # the per-action mean would be off by ~0.3
    # without context, one round's prediction is the mean of the other folds: changing its own reward leaves it
    base, _ = cross_fit_rewards(actions, rewards, k, None, positions=np.zeros(n, dtype=np.int64))
    flipped = rewards.copy()
    flipped[0] = 1 - flipped[0]
    again, _ = cross_fit_rewards(actions, flipped, k, None, positions=np.zeros(n, dtype=np.int64))
    assert again[0, actions[0]] == base[0, actions[0]]
    assert not np.array_equal(again, base)


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(ValueError, match="pscores"):
        evaluate([0, 1], [1.0, 0.0], [0.5, 0.0], np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="target_dist"):
        evaluate([0, 1], [1.0, 0.0], [0.5, 0.5], np.full((2, 2), 0.7))
