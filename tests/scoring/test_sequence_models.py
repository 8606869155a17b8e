"""The model pieces on synthetic data where the right answer is known: the next-category logit learns a
complement the top-affinity rule cannot see, the hurdle median minimises absolute error, and Platt
calibration on out-of-fold scores matches observed rates."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from hyperjourney.scoring.category import NextCategoryModel, evaluate
from hyperjourney.scoring.linear import LinearClassifier, LogSpendRegressor


def _shopper(rng: random.Random) -> tuple[dict[str, Any], str]:
    """Runners mostly buy shoes; right after buying shoes they buy socks."""
    shoes_share = rng.uniform(0.5, 0.9)
    row: dict[str, Any] = {
        "category_affinity": {"running_shoes": shoes_share, "socks": 1 - shoes_share},
        "category_interest": rng.uniform(5, 30),
        "top_category": "running_shoes",
        "category_views_30d": {},
    }
    if rng.random() < 0.5:
        row |= {"last_order_categories": ["running_shoes"], "days_since_last_order": rng.uniform(1, 20)}
        label = "socks" if rng.random() < 0.8 else "running_shoes"
    else:
        row |= {"last_order_categories": ["socks"], "days_since_last_order": rng.uniform(1, 300)}
        label = "running_shoes" if rng.random() < 0.8 else "socks"
    return row, label


def test_next_category_learns_the_complement_the_rule_cannot_see() -> None:
    rng = random.Random(3)
    train = [_shopper(rng) for _ in range(600)]
    test = [_shopper(rng) for _ in range(300)]
    model = NextCategoryModel.fit([r for r, _ in train], [y for _, y in train], 1.0)
    shoes, socks = model.categories.index("running_shoes"), model.categories.index("socks")
    assert model.complements[shoes, socks] > model.complements[shoes, shoes]
    report = evaluate(model, [r for r, _ in test], [y for _, y in test])
    assert report["accuracy"] > report["baseline_accuracy"] + 0.2
    assert report["log_loss"] < report["baseline_log_loss"]
    assert report["beats_baseline"]
    fresh = model.inputs([{**test[0][0], "last_order_categories": ["running_shoes"], "days_since_last_order": 3}])
    label = model.predict(fresh).argmax(axis=1)
    assert model.categories[int(label[0])] == "socks"
    assert model.effects(fresh, label)[0, shoes] > 0.1  # "bought running shoes 3 days ago: socks +0.x"
    again = NextCategoryModel.from_json(model.to_json())
    assert np.allclose(again.predict(fresh), model.predict(fresh))


def test_hurdle_median_is_zero_below_even_odds_and_grows_with_the_odds() -> None:
    x = np.zeros((3, 1))
    reg = LogSpendRegressor(np.zeros(1), np.ones(1), np.zeros(1), float(np.log1p(100.0)), 1.0, 0.5)
    median = reg.hurdle_median(x, np.array([0.3, 0.6, 0.95]))
    assert median[0] == 0.0 and 0 < median[1] < median[2]
    assert abs(reg.hurdle_median(x[:1], np.array([1.0]))[0] - 100.0) < 1.0  # a sure buyer: the spend median


def test_platt_calibration_matches_observed_rates() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 3))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(x @ np.array([1.5, -1.0, 0.0]) - 1.0)))).astype(float)
    model = LinearClassifier.fit(x, y)
    p = model.predict(x)
    assert abs(p.mean() - y.mean()) < 0.01
    high = p > 0.6
    assert abs(p[high].mean() - y[high].mean()) < 0.05
