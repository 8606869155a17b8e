"""Scoring suite: the tenant's active customer models re-scored on their held-out window through the serving path.

The models are loaded from the registry exactly as the online path loads them and applied to point-in-time
features as of the held-out cutoff recorded at training, so the numbers are those of what is serving now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.features.training import training_set
from hyperjourney.scoring import metrics, registry
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.service import scorer_for
from hyperjourney.scoring.train import CLASSIFIERS


def _calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> Series:
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    xs, ys = [], []
    for b in range(bins):
        mask = idx == b
        if mask.sum() >= 5:
            xs.append(float(p[mask].mean()))
            ys.append(float(y[mask].mean()))
    return Series(kind="line", x=list(xs), y=ys, x_label="predicted probability", y_label="observed rate")


@dataclass(frozen=True)
class ScoringSuite:
    name: str = "scoring"
    description: str = "AUC, calibration error and top-decile lift of the active models on their held-out window"

    def dataset_files(self) -> list[Path]:
        return []

    def size(self) -> int:
        return len(CLASSIFIERS)

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        with env.db.tenant(env.tenant) as conn:
            active = registry.active_versions(conn)
            if not active:
                raise ModelsNotTrainedError(
                    f"tenant {env.tenant!r} has no trained models; run `hyperjourney models train`"
                )
            scorer = scorer_for(conn, env.tenant, active)
            trained = {n: registry.get(conn, n, active[n]) for n in CLASSIFIERS if n in active}
            first = registry.get(conn, next(iter(CLASSIFIERS)), active.get(next(iter(CLASSIFIERS))))
            if first is None:
                raise ModelsNotTrainedError("the active propensity model is missing from the registry")
            cutoff = datetime.fromisoformat(first.training_window["test_cutoff"])
            examples = training_set(conn, cutoff)
        scored = scorer.score([e.features for e in examples])
        result_metrics: dict[str, float] = {}
        items: list[ItemResult] = []
        series: dict[str, Series] = {}
        for name, task in CLASSIFIERS.items():
            chosen = [i for i, e in enumerate(examples) if task.population(e)]
            y = np.array([float(task.label(examples[i])) for i in chosen])
            p = np.array([scored[i][name].value for i in chosen])
            rule = np.array([task.rule(examples[i].features) for i in chosen])
            auc, base_auc = metrics.auc(y, p), metrics.auc(y, rule)
            top = metrics.lift_table(y, p)[0]["lift"]
            version = trained.get(name)
            training_auc = float(version.metrics.get("auc", float("nan"))) if version else float("nan")
            result_metrics |= {
                f"{name}.auc": auc,
                f"{name}.ece": metrics.ece(y, p),
                f"{name}.lift_top_decile": top,
                f"{name}.auc_over_baseline": auc - base_auc,
                f"{name}.serving_skew": abs(auc - training_auc),
            }
            items.append(
                ItemResult(
                    item_id=name,
                    passed=auc > base_auc and abs(auc - training_auc) < 1e-3,
                    scores={"auc": auc, "baseline_auc": base_auc, "training_auc": training_auc},
                    detail={"n": len(y), "positives": int(y.sum()), "baseline": task.rule_name},
                )
            )
            if name == "purchase_propensity":
                series["calibration: purchase_propensity"] = _calibration(y, p)
                series["lift by decile: purchase_propensity"] = Series(
                    kind="bar",
                    x=[str(d + 1) for d in range(10)],
                    y=[row["lift"] for row in metrics.lift_table(y, p)],
                    x_label="decile (1 = highest score)",
                    y_label="lift over base rate",
                )
            advance(1)
        return SuiteResult(suite=self.name, metrics=result_metrics, items=items, series=series)


register(ScoringSuite())
