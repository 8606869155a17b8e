"""The route decision's confidence is a calibrated probability: the shipped table was fitted on today's examples,
maps scores monotonically, and a request with no known words gets none."""

from __future__ import annotations

import pytest

from hyperjourney.models import intent_router, route_calibration
from hyperjourney.models.calibration import (
    CalibrationTable,
    expected_calibration_error,
    fingerprint,
    fit_isotonic,
    reliability,
)


def test_the_shipped_route_table_was_fitted_on_the_packaged_examples() -> None:
    table = intent_router.calibration()
    assert table.examples_sha256 == fingerprint(route_calibration.examples_text()), (
        "route_examples.yaml changed: refit with `python -m hyperjourney.models.route_calibration`"
    )
    assert table.n == sum(len(v) for v in intent_router.examples().values())
    assert table.ys == sorted(table.ys) and table.xs == sorted(table.xs) and (table.xs[0], table.ys[0]) == (0, 0)


def test_route_confidence_is_the_calibrated_score() -> None:
    guess = intent_router.classify("Which stores had the most returns last month?")
    assert guess.confidence == pytest.approx(intent_router.calibration().apply(guess.raw_score))
    assert intent_router.classify("banana").confidence == 0.0


def test_isotonic_fit_and_reliability_bins() -> None:
    raw = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
    right = [False, False, True, False, True, True, True, True]
    table = fit_isotonic(raw, right, decision="t", fitted_on="test", sha="x")
    assert (
        isinstance(table, CalibrationTable)
        and table.apply(0.15) == 0.0
        and table.apply(0.85) == pytest.approx(8 / 9, abs=1e-4)
    )
    assert table.apply(0.35) == pytest.approx(0.5)  # the pooled violator (0.3 right, 0.4 wrong)
    bins = reliability([0.1, 0.15, 0.9, 0.95], [False, True, True, True], bins=2)
    assert [(b.n, b.accuracy) for b in bins] == [(2, 0.5), (2, 1.0)]
    assert expected_calibration_error(bins) == pytest.approx((2 * abs(0.125 - 0.5) + 2 * abs(0.925 - 1.0)) / 4)
