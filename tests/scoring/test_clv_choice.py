"""The CLV model is chosen per tenant by backtest: hurdle or BG/NBD+GG, whichever has the lower holdout RMSE
on the customers BG/NBD+GG models (those with an order); everyone else keeps the hurdle value."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from hyperjourney.db.database import Database
from hyperjourney.features.training import Example, Outcome
from hyperjourney.scoring import btyd, clv_choice, horizons, registry
from hyperjourney.scoring.service import score_customer, scorer_for
from hyperjourney.scoring.train import TrainReport, fit_clv, train_all
from hyperjourney.scoring.vectorize import Vectorizer


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
    judged = clv_choice.Judgement.model_validate(m["choice_holdout"])
    hurdle, bgnbd = judged.hurdle, judged.bgnbd_gg
    assert bgnbd is not None and judged.rmse_diff_ci is not None and judged.mae_diff_ci is not None
    assert 0 < judged.n < m["n"]  # judged on the buyers only, not on every held-out customer
    lower = "bgnbd_gg" if (bgnbd["rmse"], bgnbd["mae"]) < (hurdle["rmse"], hurdle["mae"]) else "hurdle"
    assert m["chosen"] == art["chosen"] == lower
    assert f"RMSE hurdle {hurdle['rmse']:.1f} vs BG/NBD+GG {bgnbd['rmse']:.1f}" in m["choice"]
    lo, hi = judged.rmse_diff_ci
    assert lo < hurdle["rmse"] - bgnbd["rmse"] < hi
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


def test_under_bgnbd_b2b_accounts_without_orders_keep_the_hurdle_value_and_shoppers_get_bgnbd(
    db: Database, trained: tuple[str, TrainReport]
) -> None:
    """B2B accounts have no orders (their value is contractual): BG/NBD+GG, whose clock starts at a first
    order, would value them at $0. Under the BG/NBD choice they keep the hurdle value; shoppers get BG/NBD's."""
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        before = registry.active_versions(conn)["clv"]
        b2b = conn.execute(
            "SELECT customer_id, features FROM customer_features WHERE features->>'business' = 'b2b' "
            "AND coalesce((features->>'orders_total')::int, 0) = 0 LIMIT 1"
        ).fetchone()
        shopper = conn.execute(
            "SELECT customer_id, features FROM customer_features WHERE (features->>'orders_total')::int >= 2 LIMIT 1"
        ).fetchone()
    assert b2b is not None and shopper is not None
    try:
        train_all(db, tenant, only="clv", clv_model="bgnbd_gg")
        scores = {cid: score_customer(db, tenant, cid).scores for cid in (b2b[0], shopper[0])}
        with db.tenant(tenant) as conn:
            scorer = scorer_for(conn, tenant)
    finally:
        with db.tenant(tenant) as conn:
            registry.activate(conn, "clv", before)
    assert scorer.clv_btyd is not None
    rows = [b2b[1], shopper[1]]
    bgnbd = clv_choice.values(scorer.clv_btyd, rows)
    scorer.clv_btyd = None  # the same stored version read as the hurdle model alone
    hurdle_clv = scorer.core(scorer.inputs(rows))["clv"][0]
    account, buyer = scores[b2b[0]], scores[shopper[0]]
    assert bgnbd["clv"][0] == 0.0  # what the account got before this fix
    assert account["clv"].value > 0 and account["clv"].value == pytest.approx(hurdle_clv[0], abs=0.01)
    assert account["clv_365d"].value > 0
    assert not any("BG/NBD" in r.text for r in account["clv"].reasons)
    assert buyer["clv"].value > 0 and buyer["clv"].value == pytest.approx(bgnbd["clv"][1], abs=0.01)
    assert buyer["clv"].value != pytest.approx(hurdle_clv[1], abs=0.01)
    assert buyer["clv_365d"].value == pytest.approx(bgnbd["clv_365d"][1], abs=0.01)


def _examples(
    rng: np.random.Generator, n: int, cutoff: datetime, spend: Any, buyers_only: bool = False
) -> list[Example]:
    """Customers with a purchase history (some without orders) and a 60-day spend drawn by ``spend``."""
    out = []
    for i in range(n):
        orders = 0 if (not buyers_only and i % 5 == 0) else int(1 + rng.poisson(3))
        first = float(rng.uniform(120, 400))
        f: dict[str, Any] = {
            "customer_id": f"c{i}",
            "business": "vip" if i % 3 == 0 else "regular",
            "orders_total": orders,
            "days_since_first_order": first if orders else None,
            "days_since_last_order": float(rng.uniform(0, first)) if orders else None,
            "avg_order_value": float(rng.uniform(40, 160)) if orders else None,
        }
        f["monetary_365d"] = orders * (f["avg_order_value"] or 0.0)
        value = float(spend(f, rng))
        out.append(
            Example(
                customer_id=f"c{i}",
                cutoff=cutoff,
                features=f,
                outcome=Outcome(
                    active=value > 0, purchased=value > 0, expanded=False, spend=round(value, 2),
                    next_category=None, categories=[], hours=[],
                ),
            )
        )  # fmt: skip
    return out


def test_choice_flips_to_the_model_the_data_favours() -> None:
    """Same customers, two futures: spend that follows each buyer's purchase rhythm (what BG/NBD+GG models, and
    what the hurdle model cannot learn from training windows where spend was noise) picks BG/NBD+GG; spend set
    by the line of business, which BG/NBD+GG never sees, keeps the hurdle model."""
    cut = datetime(2026, 6, 1, tzinfo=UTC)
    train_cuts = [cut - timedelta(days=d) for d in (60, 90, 120)]
    rng = np.random.default_rng(7)
    test_history = _examples(rng, 300, cut, lambda f, r: 0.0)
    value = clv_choice.fit([e.features for e in test_history], 60, [90], 0.1, 5.0)
    rhythm = clv_choice.values(value, [e.features for e in test_history])["clv"]

    def by_business(f: dict[str, Any], r: np.random.Generator) -> float:
        return 400.0 if f["business"] == "vip" else 0.0

    futures = {
        "bgnbd_gg": (
            lambda f, r: r.choice([0.0, 300.0]),  # training windows: spend unrelated to anything seen
            [e.model_copy(update={"outcome": e.outcome.model_copy(update={"spend": round(float(v), 2)})})
             for e, v in zip(test_history, rhythm * rng.uniform(0.9, 1.1, len(rhythm)), strict=True)],
        ),
        "hurdle": (by_business, [e.model_copy(update={"outcome": e.outcome.model_copy(
            update={"spend": by_business(e.features, rng)})}) for e in test_history]),
    }  # fmt: skip
    for expected, (train_spend, test) in futures.items():
        train = [e for c in train_cuts for e in _examples(rng, 200, c, train_spend)]
        artifact, quality = fit_clv(Vectorizer.fit([e.features for e in train]), train, test)
        judged = clv_choice.Judgement.model_validate(quality["choice_holdout"])
        assert judged.n == sum(1 for e in test if e.features["orders_total"])
        assert judged.bgnbd_gg is not None and judged.rmse_diff_ci is not None
        assert quality["chosen"] == artifact["chosen"] == expected, quality["choice"]
        lo, hi = judged.rmse_diff_ci
        assert (lo > 0) if expected == "bgnbd_gg" else (hi < 0)  # the winner's margin is clear of noise
        assert ("could not beat it" in quality["choice"]) == (expected == "bgnbd_gg")
