"""Hashed assignment, the Thompson bandit with a minimum exploration share, and the lift statistics."""

from __future__ import annotations

import random

import pytest

from hyperjourney.experiments.stats import lift, sample_size_per_arm
from hyperjourney.journeys.assign import ab_arm, bucket, in_holdout
from hyperjourney.journeys.bandit import ArmStats, choose


def test_holdout_is_deterministic_and_near_its_share() -> None:
    ids = [f"cust-{i}" for i in range(10_000)]
    held = [c for c in ids if in_holdout("j", c, 0.2)]
    assert abs(len(held) / len(ids) - 0.2) < 0.02
    assert held == [c for c in ids if in_holdout("j", c, 0.2)]
    assert bucket("a", "x") != bucket("b", "x")  # each journey draws its own holdout


def test_ab_split_follows_weights() -> None:
    arms = [ab_arm("exp", f"c{i}", ["a", "b"], [3, 1]) for i in range(8000)]
    assert abs(arms.count("a") / len(arms) - 0.75) < 0.03
    with pytest.raises(ValueError, match="one non-negative number per arm"):
        ab_arm("exp", "c", ["a", "b"], [1])


def test_bandit_keeps_exploring_the_losing_arm() -> None:
    stats = [ArmStats(arm="a", trials=1000, successes=300), ArmStats(arm="b", trials=1000, successes=50)]
    rng = random.Random(0)
    picks = [choose(stats, 0.2, rng) for _ in range(2000)]
    share_b = sum(p.arm == "b" for p in picks) / len(picks)
    assert 0.07 < share_b < 0.14  # about min_explore / 2
    assert picks[0].probabilities["b"] == pytest.approx(0.1, abs=0.01)
    assert sum(picks[0].probabilities.values()) == pytest.approx(1.0)


def test_bandit_learns_the_better_arm() -> None:
    rng, truth = random.Random(1), {"a": 0.05, "b": 0.25}
    stats = {k: ArmStats(arm=k) for k in truth}
    picks = []
    for _ in range(1500):
        c = choose(list(stats.values()), 0.1, rng)
        picks.append(c.arm)
        s = stats[c.arm]
        s.trials += 1
        s.successes += rng.random() < truth[c.arm]
    assert picks[-500:].count("b") / 500 > 0.8


def test_lift_interval_and_sample_size() -> None:
    big = lift(300, 2000, 200, 2000)
    assert big.abs_lift == pytest.approx(0.05) and big.ci_low > 0 and big.p_value < 0.001
    small = lift(11, 100, 10, 100)
    assert small.ci_low < 0 < small.ci_high and not small.significant
    assert 3000 < sample_size_per_arm(0.10, 0.02) < 4500
