"""The small tier picks a catalogue query by rules over the question; its confidence says how much it named."""

from __future__ import annotations

import pytest

from hyperjourney.agents.analyst_insight import rule_request


@pytest.mark.parametrize(
    ("question", "query", "by", "period"),
    [
        ("Which stores had the most returns last month?", "returns", "storefront", "last_month"),
        ("Which region has the highest return rate", "return_rate", "region", None),
        ("Break down support tickets by sentiment this month", "tickets", "sentiment", "this_month"),
        ("Top 5 products by revenue last quarter", "revenue", "product", "last_90_days"),
        ("Churn by signup cohort over the last year", "churn_by_cohort", "signup_month", "last_365_days"),
        ("How did each journey convert against its holdout", "conversion_by_journey", "journey", None),
    ],
)
def test_rules_pick_the_query_dimension_and_period(question: str, query: str, by: str, period: str | None) -> None:
    picked = rule_request(question)
    assert picked is not None
    assert (picked.value.query, picked.value.by) == (query, by)
    if period:
        assert picked.value.period == period
    assert picked.confidence == pytest.approx((2 + (period is not None)) / 3)


def test_the_top_n_sets_the_limit_and_a_question_without_a_metric_gets_no_pick() -> None:
    picked = rule_request("Top 5 products by revenue last quarter")
    assert picked is not None and picked.value.limit == 5
    assert rule_request("Which accounts are most likely to upgrade next month") is None
