"""CLV over configurable horizons and the discounted lifetime value: settings, training, stored scores, backtest."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from hyperjourney.db.database import Database
from hyperjourney.features.store import data_time
from hyperjourney.scoring import horizons, registry
from hyperjourney.scoring.backtest import backtest, parse_horizon
from hyperjourney.scoring.service import score_customer
from hyperjourney.scoring.train import TrainReport, train_all
from hyperjourney.settings import ScoringSettings, Settings

DEFAULT = ("clv_30d", "clv_90d", "clv_180d", "clv_365d")


def _stored(db: Database, tenant: str) -> dict[str, dict[str, float]]:
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT customer_id, name, value FROM customer_scores WHERE name LIKE 'clv%'").fetchall()
    out: dict[str, dict[str, float]] = {}
    for cid, name, value in rows:
        out.setdefault(cid, {})[name] = float(value)
    return out


def test_horizons_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPERJOURNEY_SCORING__CLV_HORIZONS_DAYS", "[365, 14]")
    monkeypatch.setenv("HYPERJOURNEY_SCORING__ANNUAL_DISCOUNT_RATE", "0.2")
    s = Settings().scoring
    assert s.clv_horizons_days == [14, 365] and s.annual_discount_rate == 0.2
    assert Settings.model_fields["scoring"].default_factory is ScoringSettings
    assert ScoringSettings().clv_horizons_days == [30, 90, 180, 365]
    with pytest.raises(ValueError, match="clv_horizons_days"):
        ScoringSettings(clv_horizons_days=[0, 30])


def test_stored_scores_hold_every_horizon_longer_never_less(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, report = trained
    proj = report.metrics["clv"]["horizons"]
    assert proj["pairs"] > 0 and proj["coef"][1] > 0  # buying this period makes buying the next more likely
    scores = _stored(db, tenant)
    assert len(scores) > 1000
    strictly = 0
    for cid, s in scores.items():
        assert set(s) == {"clv", *DEFAULT, horizons.LIFETIME}, cid
        assert all(math.isfinite(v) for v in s.values())
        values = [s[n] for n in DEFAULT]
        assert values == sorted(values), (cid, values)
        strictly += values[0] < values[-1]
        # 30 days is half of the hurdle model's 60-day period
        assert s["clv_30d"] == pytest.approx(s["clv"] / 2, abs=0.011)
    assert strictly > len(scores) // 2


def test_customer_scores_show_the_horizons(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, _ = trained
    cid = next(iter(_stored(db, tenant)))
    result = score_customer(db, tenant, cid)
    assert {*DEFAULT, horizons.LIFETIME} <= set(result.scores)
    life = result.scores[horizons.LIFETIME]
    assert life.model_version == result.scores["clv"].model_version
    assert any("discounted at 10% a year" in r.text for r in life.reasons)


def test_changing_the_horizon_setting_changes_the_scores(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        before = registry.active_versions(conn)["clv"]
    cid = next(iter(_stored(db, tenant)))
    try:
        report = train_all(db, tenant, only="clv", scoring=ScoringSettings(clv_horizons_days=[730, 14]))
        assert report.metrics["clv"]["horizons"]["horizons_days"] == [14, 730]
        names = set(score_customer(db, tenant, cid).scores)
        assert {"clv_14d", "clv_730d", horizons.LIFETIME} <= names
        assert not names & set(DEFAULT)
    finally:
        with db.tenant(tenant) as conn:
            registry.activate(conn, "clv", before)


def _projection(q_buyer: float, q_other: float, rate: float = 0.1) -> horizons.Projection:
    """Transition rates that do not depend on the customer's P(buy) (the logit-p coefficient is 0)."""

    def logit(q: float) -> float:
        return math.log(q / (1 - q))

    return horizons.Projection(
        period_days=60,
        q_buyer=q_buyer,
        q_other=q_other,
        horizons_days=[30, 90, 180, 365],
        annual_discount_rate=rate,
        lifetime_years=5,
        pairs=10,
        coef=[logit(q_other), logit(q_buyer) - logit(q_other), 0.0],
    )


def test_lifetime_beats_a_year_only_for_customers_who_keep_buying() -> None:
    p, spend = np.array([0.9, 0.9]), np.array([100.0, 100.0])
    keeps = horizons.project(p, spend, _projection(0.9, 0.3))
    stops = horizons.project(p, spend, _projection(1e-9, 1e-9))
    assert keeps[horizons.LIFETIME][0] > keeps["clv_365d"][0]
    # one purchase, no return: the year holds it all and the lifetime value only discounts it
    assert stops["clv_365d"][0] == pytest.approx(90.0, abs=1e-3)
    assert stops[horizons.LIFETIME][0] < stops["clv_365d"][0]


def test_lifetime_value_falls_as_the_discount_rate_rises() -> None:
    p, spend = np.array([0.5]), np.array([80.0])
    values = [horizons.project(p, spend, _projection(0.7, 0.2, r))[horizons.LIFETIME][0] for r in (0.0, 0.1, 0.3)]
    assert values[0] > values[1] > values[2]
    assert horizons.project(p, spend, _projection(0.7, 0.2, 0.3))["clv_365d"][0] == pytest.approx(
        horizons.project(p, spend, _projection(0.7, 0.2, 0.0))["clv_365d"][0]
    )


def test_backtest_judges_clv_on_its_own_horizon(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        end = data_time(conn)
    report = backtest(db, tenant, end - timedelta(days=100), parse_horizon("13w"))
    assert report.horizon_days == 91
    assert report.metrics["clv"]["horizon_days"] == 91
    assert "91 days" in report.metrics["clv"]["description"]


def test_backtest_judges_each_projected_horizon_the_data_covers(db: Database, trained: tuple[str, TrainReport]) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        end = data_time(conn)
    at = end - timedelta(days=100)
    report = backtest(db, tenant, at, parse_horizon("4w"))
    assert [h.days for h in report.horizons] == [30, 90]  # 180 and 365 days run past the data
    assert report.horizons_not_judged is not None and "180, 365-day" in report.horizons_not_judged
    for h in report.horizons:
        with db.tenant(tenant) as conn:
            (spent,) = conn.execute(
                "SELECT coalesce(sum(l.quantity * l.unit_price), 0)::float8 FROM orders o "
                "JOIN order_lines l USING (tenant_id, order_id) JOIN customers c USING (tenant_id, customer_id) "
                "JOIN customers k ON k.customer_id = coalesce(c.merged_into, c.customer_id) "
                "WHERE o.ordered_at >= %s AND o.ordered_at < %s AND o.status <> 'cancelled' "
                "AND k.created_at < %s AND k.merged_into IS NULL",
                (at, at + timedelta(days=h.days), at),
            ).fetchone()
        assert h.n == report.test_examples
        assert h.actual_total == pytest.approx(spent, rel=1e-6)
        assert h.rmse > 0 and h.baseline_rmse > 0 and h.rmse != h.baseline_rmse
    ninety = report.horizons[1]
    assert ninety.predicted_total > report.horizons[0].predicted_total  # a longer horizon projects more spend
