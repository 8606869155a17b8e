"""Calibrated linear models stored as plain numbers, scored with numpy (no pickles, microseconds per customer).

Logistic regression on standardised columns gives exact per-feature contributions for reason codes;
isotonic regression fitted on a held-out split of the training rows calibrates the probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -35, 35))))


@dataclass
class LinearClassifier:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    cal_x: np.ndarray
    cal_y: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, *, seed: int = 0, c: float = 0.5) -> LinearClassifier:
        """Fit on 75% of the rows, calibrate isotonically on the other 25% (stratified)."""
        x_fit, x_cal, y_fit, y_cal = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
        mean, scale = x_fit.mean(axis=0), x_fit.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=c, max_iter=2000)
        lr.fit((x_fit - mean) / scale, y_fit)
        model = cls(mean, scale, lr.coef_[0], float(lr.intercept_[0]), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(model.raw(x_cal), y_cal)
        model.cal_x, model.cal_y = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
        return model

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept)

    def raw(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(self.logits(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, kept off exact 0 and 1 (no outcome is certain)."""
        return np.asarray(np.clip(np.interp(self.raw(x), self.cal_x, self.cal_y), 0.001, 0.999))

    def predict_with_drivers(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(calibrated p, top-k column indices, their signed probability effects) per row.

        A column's effect is the change in probability against an average customer on that column; the
        columns are ranked by their logit contribution, which orders them the same way.
        """
        xs = (x - self.mean) / self.scale
        parts = xs * self.coef
        z = parts.sum(axis=1) + self.intercept
        k = min(k, parts.shape[1])
        idx = np.argpartition(-np.abs(parts), k - 1, axis=1)[:, :k]
        chosen = np.take_along_axis(parts, idx, axis=1)
        order = np.argsort(-np.abs(chosen), axis=1)
        idx, chosen = np.take_along_axis(idx, order, axis=1), np.take_along_axis(chosen, order, axis=1)
        effects = _sigmoid(z)[:, None] - _sigmoid(z[:, None] - chosen)
        p = np.clip(np.interp(_sigmoid(z), self.cal_x, self.cal_y), 0.001, 0.999)
        return np.asarray(p), np.asarray(idx), np.asarray(effects)

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "cal_x": self.cal_x.tolist(),
            "cal_y": self.cal_y.tolist(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LinearClassifier:
        return cls(
            np.array(d["mean"]),
            np.array(d["scale"]),
            np.array(d["coef"]),
            float(d["intercept"]),
            np.array(d["cal_x"]),
            np.array(d["cal_y"]),
        )


@dataclass
class LogSpendRegressor:
    """E[spend | buys]: ridge on log1p(spend) with Duan's smearing to undo the log's bias."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    smear: float

    @classmethod
    def fit(cls, x: np.ndarray, spend: np.ndarray) -> LogSpendRegressor:
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        target = np.log1p(spend)
        ridge = Ridge(alpha=10.0).fit((x - mean) / scale, target)
        resid = target - ridge.predict((x - mean) / scale)
        return cls(mean, scale, ridge.coef_, float(ridge.intercept_), float(np.mean(np.exp(resid))))

    def predict(self, x: np.ndarray) -> np.ndarray:
        log_pred = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(np.maximum(np.exp(np.clip(log_pred, -10, 15)) * self.smear - 1.0, 0.0))

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "smear": self.smear,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LogSpendRegressor:
        return cls(np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]), float(d["intercept"]), d["smear"])
