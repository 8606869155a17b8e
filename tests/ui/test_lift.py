"""Expected versus measured lift: nothing measured until outcomes arrive, then the readout's lift with its CI."""

from __future__ import annotations

import re

import pytest

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.ui.lift import MeasuredLift, launched_journey, lift_chart, measured_lift, measured_markdown
from tests.conftest import new_tenant
from tests.ui.outcomes import grow_and_convert

FOOTER = "Unsubscribe · Manage preferences · Northwind, 500 Harbor Street, Seattle, WA 98101"  # the demo rules' footer
ANALYST = {"segment": "fintech SMBs", "sizing": {"lift_low": 0.1, "lift_high": 0.2}}


def _texts(svg: str) -> list[str]:
    """Matplotlib draws text as paths and keeps each string in a comment beside it."""
    return [t.strip() for t in re.findall(r"<!-- (.*?) -->", svg)]


@pytest.fixture(scope="module")
def launched(db: Database) -> tuple[str, str]:
    tenant = new_tenant(db, "lift")
    seed(db, tenant, customers=200, events=400, tickets=0)
    with db.tenant(tenant) as conn:
        audience = [r[0] for r in conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 20")]
    plan = JourneyPlan(
        plan_id="run-lift-test", goal="Lift LTV", metric="ltv", audience=audience, approved_by="test",
        plan={"name": "ltv lift", "steps": [{"channel": "email", "delay_days": 0}], "holdout_share": 0.25},
        variants=[{"channel": "email", "subject": "Hi", "body": f"Hello there.\n\n{FOOTER}"}],
    )  # fmt: skip
    return tenant, launch_plan(db, tenant, plan).journey_id


def test_nothing_is_measured_before_outcomes_then_the_readout_is(db: Database, launched: tuple[str, str]) -> None:
    tenant, journey = launched
    assert launched_journey({"launch": {"launched": True, "journey_id": journey}}) == journey
    assert launched_journey({"launch": {"launched": False, "detail": "recorded"}}) is None
    assert measured_lift(db, tenant, journey) is None

    counts = grow_and_convert(db, tenant, journey, treated=0.5, holdout=0.2)
    measured = measured_lift(db, tenant, journey)
    assert measured is not None and measured.goal == "checkout"
    assert (measured.treated_n, measured.control_n) == (counts["treatment"], counts["holdout"])
    assert measured.treated_rate == pytest.approx(counts["treatment_converted"] / counts["treatment"])
    assert measured.control_rate == pytest.approx(counts["holdout_converted"] / counts["holdout"])
    rel = measured.relative
    assert rel is not None and rel[1] < rel[0] < rel[2] and rel[0] > 0
    assert "Measured lift" in measured_markdown(measured) and f"`{journey}`" in measured_markdown(measured)

    chart = lift_chart(ANALYST, measured)
    assert chart is not None and chart.startswith("<?xml")
    labels = _texts(chart)
    assert "expected" in labels and "measured" in labels and "+10% to +20%" in labels
    assert f"{rel[0]:+.0%} (CI {rel[1]:+.0%} to {rel[2]:+.0%})" in " ".join(labels)


def test_the_chart_shows_what_there_is() -> None:
    expected_only = lift_chart(ANALYST)
    assert expected_only is not None
    assert "expected" in _texts(expected_only) and "measured" not in _texts(expected_only)
    assert lift_chart({}) is None
    no_holdout_conversion = MeasuredLift(
        journey_id="j", goal="checkout", treated_n=40, control_n=10, treated_rate=0.25, control_rate=0.0,
        abs_lift=0.25, ci_low=0.05, ci_high=0.4, p_value=0.05, summary="",
    )  # fmt: skip
    assert no_holdout_conversion.relative is None
    only_measured = lift_chart({}, no_holdout_conversion)
    assert only_measured is not None and "measured (pts)" in _texts(only_measured)
    assert "+25.0 pts" in measured_markdown(no_holdout_conversion)
    no_remote = re.findall(r"(?:href|src)=\"(https?:[^\"]+)\"", only_measured)
    assert no_remote == []
