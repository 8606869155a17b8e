"""The CLV model is chosen per tenant by backtest: hurdle or BG/NBD+GG, whichever has the lower holdout RMSE."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hyperjourney.db.database import Database
from hyperjourney.scoring import btyd, clv_choice, horizons, registry
from hyperjourney.scoring.service import score_customer
from hyperjourney.scoring.train import TrainReport, train_all


def test_stored_clv_version_holds_both_models_and_picks_the_lower_rmse(
    db: Database, trained: tuple[str, TrainReport]
) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        before = registry.active_versions(conn)["clv"]
    try:
        train_all(db, tenant, only="clv")  # chosen by backtest (the fixture forces the hurdle model)
        with db.tenant(tenant) as conn:
            found = registry.get(conn, "clv")
    finally:
        with db.tenant(tenant) as conn:
            registry.activate(conn, "clv", before)
    assert found is not None and found.artifact is not None
    m, art = found.metrics, found.artifact
    hurdle, bgnbd = m["hurdle_holdout"], m["bgnbd_gg_holdout"]
    assert hurdle["rmse"] == pytest.approx(m["rmse"])
    lower = "bgnbd_gg" if (bgnbd["rmse"], bgnbd["mae"]) < (hurdle["rmse"], hurdle["mae"]) else "hurdle"
    assert m["chosen"] == art["chosen"] == lower
    winner, loser = (bgnbd, hurdle) if lower == "bgnbd_gg" else (hurdle, bgnbd)
    assert f"{winner['rmse']:.1f} beats" in m["choice"] and f"{loser['rmse']:.1f}" in m["choice"]
    value = clv_choice.BTYDValue.model_validate(art["bgnbd_gg"])
    assert value.model.spend.q > 1 and value.model.purchases.r > 0
    json.dumps([m, art], allow_nan=False)  # raises on NaN or infinity


def test_forcing_bgnbd_scores_with_its_forecast(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        before = registry.active_versions(conn)["clv"]
        cid, f = conn.execute(
            "SELECT customer_id, features FROM customer_features WHERE (features->>'orders_total')::int >= 3 LIMIT 1"
        ).fetchone()
    try:
        train_all(db, tenant, only="clv", clv_model="hurdle")
        hurdle = score_customer(db, tenant, cid).scores
        report = train_all(db, tenant, only="clv", clv_model="bgnbd_gg")
        assert report.metrics["clv"]["chosen"] == "bgnbd_gg" and "(forced)" in report.metrics["clv"]["choice"]
        scores = score_customer(db, tenant, cid).scores
        with db.tenant(tenant) as conn:
            art = registry.get(conn, "clv")
        assert art is not None and art.artifact is not None
        model = btyd.BTYDModel.model_validate(art.artifact["bgnbd_gg"]["model"])
        days = float(f["days_since_first_order"])
        summary = btyd.RFM(
            customers=[cid],
            frequency=np.array([f["orders_total"] - 1.0]),
            recency=np.array([(days - float(f["days_since_last_order"])) / 7]),
            T=np.array([days / 7]),
            monetary=np.array([float(f["avg_order_value"])]),
        )
        expected = {
            "clv": btyd.forecast(model, summary, 60).spend[0],
            "clv_365d": btyd.forecast(model, summary, 365).spend[0],
        }
        for name, v in expected.items():
            assert scores[name].value == pytest.approx(v, abs=0.01), name
        assert scores["clv"].value != pytest.approx(hurdle["clv"].value, abs=0.01)
        assert scores[horizons.LIFETIME].value > scores["clv_365d"].value
        assert any("BG/NBD+GG" in r.text for r in scores["clv"].reasons)
    finally:
        with db.tenant(tenant) as conn:
            registry.activate(conn, "clv", before)
