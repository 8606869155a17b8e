"""An insight goal that names a metric reaches the metric tool through the canvas graph and comes back as a
table, a chart and the cited query (it once ended in a segment sizing that never answered the question)."""

from __future__ import annotations

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from hyperjourney.tools.metrics import MetricRequest, run_metric
from tests.agentkit import RecordingLauncher, fixed_clock


def test_which_stores_had_the_most_returns_last_month(db: Database, trained_tenant: str, settings: Settings) -> None:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    result = runs.start_canvas(db, trained_tenant, "Which stores had the most returns last month?", deps=deps)
    assert result.status == "completed" and result.approval is None
    assert "researcher" not in result.outcome and "analyst" not in result.outcome
    insight = result.outcome["insight"]
    table = insight["table"]
    expected = run_metric(db, trained_tenant, MetricRequest(query="returns", by="storefront", period="last_month"))
    assert table["rows"] == expected.rows and table["rows"]
    assert table["chart"] == {"kind": "bar", "x": "storefront", "y": "returned_units", "title": expected.chart.title}
    assert "FROM returns r" in table["sql"] and "no physical stores" in insight["note"]
    assert insight["summary"].startswith("Returns by storefront")
    steps = runs.show_run(db, trained_tenant, result.run_id).steps
    assert [(s.node, s.decision, s.tier) for s in steps][-2:] == [
        ("analyst", "metric", "small"),
        ("analyst", "metric_query", "small"),
    ]
