"""Opportunity sizing from the tenant's data: the baseline equals a hand-written count, two segments differ, the
value comes from the CLV score, the lift prior shrinks past tests toward the default, the holdout from power."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.experiments import sizing
from hyperjourney.experiments.stats import sample_size_per_arm
from hyperjourney.features.store import data_time
from hyperjourney.scoring.schema import SegmentQuery

SHOPPERS = SegmentQuery(business=["dtc"])
PLG = SegmentQuery(business=["plg"])


def _hand_counted(db: Database, tenant: str, business: str, days: int) -> tuple[int, int, float]:
    """(members, buyers in the window, mean clv_<days>d): the same definitions, written out by hand."""
    with db.tenant(tenant) as conn:
        end = data_time(conn)
        start = end - timedelta(days=days)
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.customer_id IN ("
            "  SELECT o.customer_id FROM orders o WHERE o.status <> 'cancelled' AND o.ordered_at >= %(s)s "
            "  AND o.ordered_at < %(e)s UNION SELECT e.customer_id FROM events e WHERE e.type = 'upgrade' "
            "  AND e.ts >= %(s)s AND e.ts < %(e)s)), "
            "avg((SELECT s.value FROM customer_scores s WHERE s.customer_id = c.customer_id AND s.name = %(score)s)) "
            "FROM customer_features c WHERE c.features->>'business' = %(b)s",
            {"s": start, "e": end, "b": business, "score": f"clv_{days}d"},
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), float(row[2])


def test_baseline_value_and_expected_value_equal_hand_written_sql(db: Database, trained_tenant: str) -> None:
    got = sizing.size_segment(db, trained_tenant, SHOPPERS, "conversion", 90)
    members, buyers, clv = _hand_counted(db, trained_tenant, "dtc", 90)
    assert got.size == members == got.baseline.customers and got.baseline.successes == buyers > 0
    assert got.baseline.rate.value == pytest.approx(buyers / members)
    assert got.baseline.rate.low < buyers / members < got.baseline.rate.high
    assert got.value.score == "clv_90d" and got.value.per_customer.value == pytest.approx(clv)
    treated = members - round(members * got.holdout.share)
    assert got.holdout.treated == treated
    point = treated * (buyers / members) * got.prior.lift.value * clv
    assert got.expected_value_usd.value == pytest.approx(point, abs=0.01)
    assert got.expected_value_usd.low < point < got.expected_value_usd.high


def test_two_segments_give_different_baselines(db: Database, trained_tenant: str) -> None:
    shoppers = sizing.size_segment(db, trained_tenant, SHOPPERS, "conversion", 90)
    plg = sizing.size_segment(db, trained_tenant, PLG, "conversion", 90)
    members, buyers, _ = _hand_counted(db, trained_tenant, "plg", 90)
    assert (plg.size, plg.baseline.successes) == (members, buyers)
    assert shoppers.baseline.rate.value != pytest.approx(plg.baseline.rate.value, abs=0.01)
    assert shoppers.value.per_customer.value != pytest.approx(plg.value.per_customer.value)


def test_retention_counts_only_members_active_the_window_before(db: Database, trained_tenant: str) -> None:
    got = sizing.size_segment(db, trained_tenant, SHOPPERS, "retention", 30)
    assert 0 < got.baseline.customers < got.size  # the denominator is last window's active members, not all


def test_the_lift_prior_is_the_default_without_history_and_moves_toward_the_tenants_tests() -> None:
    none = sizing.lift_prior([], [])
    assert none.lift.value == pytest.approx(sizing.DEFAULT_LIFT) and none.observed == []
    one = sizing.lift_prior([0.25], ["journey j1: +25%"])
    many = sizing.lift_prior([0.25] * 30, ["x"] * 30)
    assert sizing.DEFAULT_LIFT < one.lift.value < many.lift.value < 0.25
    assert one.lift.value == pytest.approx((3 * 0.05 + 0.25) / 4)
    assert many.lift.high - many.lift.low < one.lift.high - one.lift.low  # more tests, a narrower prior


def test_the_prior_reads_experiments_with_a_control_arm(db: Database, make_tenant: Any) -> None:
    tenant = make_tenant("sizingprior")
    with db.tenant(tenant) as conn:
        conn.execute("INSERT INTO experiments (experiment_id, kind, arms) VALUES ('e1', 'ab', '[]')")
        conn.execute(
            "INSERT INTO arm_stats (experiment_id, arm, trials, successes) VALUES "
            "('e1', 'control', 1000, 100), ('e1', 'a', 500, 60), ('e1', 'b', 500, 60)"
        )
    lifts, sources = sizing.observed_lifts(db, tenant)
    assert lifts == [pytest.approx(0.2)] and sources == ["experiment e1: +20.0%"]


def test_the_holdout_is_the_smallest_share_with_80_percent_power() -> None:
    big = sizing.plan_holdout(0.1, 0.1, 200_000)
    assert big.power >= 0.8 and sizing.power(0.1, 0.1, 200_000, big.share - 0.05) < 0.8
    assert big.needed_per_arm == sample_size_per_arm(0.1, 0.01)
    small = sizing.plan_holdout(0.1, 0.05, 300)
    assert small.share == 0.2 and small.power < 0.8 and small.detectable_lift is not None
    assert small.detectable_lift > 0.05  # it says what this split can detect instead
