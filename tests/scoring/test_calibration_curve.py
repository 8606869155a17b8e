"""The calibration curve a classifier records at training (the Data dashboard draws it) is what ECE averages."""

from __future__ import annotations

import numpy as np

from hyperjourney.scoring.metrics import calibration_curve, classifier_report, ece


def test_curve_bins_are_the_ones_ece_weighs() -> None:
    p = np.array([0.05, 0.05, 0.15, 0.85, 0.95, 0.95])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    curve = calibration_curve(y, p)
    assert [(b["low"], b["n"], b["observed"]) for b in curve] == [(0.0, 2, 0.5), (0.1, 1, 0.0), (0.8, 1, 1.0),
                                                                   (0.9, 2, 1.0)]  # fmt: skip
    assert ece(y, p) == sum(b["n"] / 6 * abs(b["predicted"] - b["observed"]) for b in curve)
    assert ece(y, p) == (2 * 0.45 + 0.15 + 0.15 + 2 * 0.05) / 6
    report = classifier_report(y, p, rule_score=p, train_rate=0.5)
    assert report["calibration"] == curve
