"""The scoring suite re-scores the serving models on their held-out window."""

from __future__ import annotations

import pytest

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.settings import get_settings


def test_active_models_beat_their_baselines_on_held_out_data(db: Database, trained_tenant: str) -> None:
    env = EvalEnv(db=db, tenant=trained_tenant, tier="small", settings=get_settings())
    run = runner.run_suite(env, REGISTRY["scoring"])
    assert 0.6 < run.metrics["purchase_propensity.auc"] <= 1.0
    assert run.metrics["purchase_propensity.auc_over_baseline"] > 0
    assert 0 <= run.metrics["purchase_propensity.ece"] < 0.15
    assert run.metrics["purchase_propensity.lift_top_decile"] > 1.5
    for name in ("purchase_propensity", "churn_risk", "upgrade_fit"):
        assert run.metrics[f"{name}.serving_skew"] < 1e-3, f"{name}: serving scores differ from training"
    curve = run.series["calibration: purchase_propensity"]
    assert len(curve.x) >= 3 and all(0 <= v <= 1 for v in curve.y)


def test_a_tenant_without_models_gets_a_clear_error(db: Database, tenant: str) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    with pytest.raises(ModelsNotTrainedError, match="models train"):
        runner.run_suite(env, REGISTRY["scoring"])
