"""The canvas shows an insight answer as a table, a bar chart and the query it ran, and the sized opportunity's
data-driven inputs with their intervals."""

from __future__ import annotations

from datetime import UTC, datetime

from hyperjourney.agents.analyst_insight import InsightAnswer
from hyperjourney.tools.metrics import Chart, MetricRequest, MetricTable
from hyperjourney.ui.insight import insight_chart, insight_markdown
from hyperjourney.ui.render import evidence_rows


def _answer() -> dict[str, object]:
    table = MetricTable(
        request=MetricRequest(query="returns", by="storefront"), title="Returns by storefront",
        columns=["storefront", "returned_units", "return_lines", "refunded_usd"],
        rows=[["web", 41, 38, 3120.5], ["app", 17, 15, 1290.0]],
        chart=Chart(x="storefront", y="returned_units", title="Returns: returned units"),
        period_start=datetime(2026, 10, 1, tzinfo=UTC), period_end=datetime(2026, 11, 1, tzinfo=UTC),
        sql="SELECT coalesce(ck.channel, 'unknown') AS grp FROM returns r ...",
    )  # fmt: skip
    return InsightAnswer(question="Which stores had the most returns?", table=table, summary="web leads",
                         note="The data has no physical stores").model_dump(mode="json")  # fmt: skip


def test_an_insight_renders_as_a_table_with_its_cited_query() -> None:
    text = insight_markdown(_answer())
    assert "| storefront | returned units | return lines | refunded usd |" in text
    assert "| web | 41 | 38 | 3,120\\.50 |" in text and "| app | 17 | 15 | 1,290\\.00 |" in text
    assert "```sql\nSELECT coalesce(ck.channel, 'unknown') AS grp FROM returns r ...\n```" in text
    assert "2026\\-10\\-01 to 2026\\-11\\-01" in text and "no physical stores" in text


def test_an_insight_chart_plots_the_charted_measure_per_group() -> None:
    svg = insight_chart(_answer())
    assert svg is not None and svg.startswith("<?xml") and svg.count("<path") > 2
    assert insight_chart({"table": None}) is None


def test_the_sized_opportunity_shows_its_inputs_with_intervals() -> None:
    evidence = {
        "baseline": {"outcome": "conversion", "horizon_days": 30, "successes": 120, "customers": 1500,
                     "rate": {"value": 0.08, "low": 0.069, "high": 0.092}},
        "value": {"score": "clv_30d", "scored": 1490, "per_customer": {"value": 41.2, "low": 38.0, "high": 44.5}},
        "holdout": {"share": 0.2, "holdout": 300, "power": 0.31},
    }  # fmt: skip
    rows = evidence_rows(evidence)
    assert rows[0] == "| Baseline conversion, 30 days | 8.0% (6.9% to 9.2%) | 120 of 1,500 |"
    assert rows[1] == "| Value per customer (clv\\_30d) | $41 ($38 to $44) | 1,490 scored |"
    assert rows[2] == "| Holdout · power | 20% (300) · 31% | |"
    assert evidence_rows({}) == []
