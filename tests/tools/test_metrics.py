"""The metric tool: catalogue queries only, validated before SQL, read-only under the tenant's RLS, and the
numbers equal a hand-written query over the same tables."""

from __future__ import annotations

from datetime import UTC, timedelta

import psycopg
import pytest
from pydantic import ValidationError

from hyperjourney.db.database import Database
from hyperjourney.features.store import data_time
from hyperjourney.tools import metrics_catalogue
from hyperjourney.tools.metrics import MetricRequest, run_metric
from hyperjourney.tools.metrics_catalogue import Entry


def test_returns_by_storefront_last_month_equal_a_hand_written_count(db: Database, trained_tenant: str) -> None:
    table = run_metric(db, trained_tenant, MetricRequest(query="returns", by="storefront", period="last_month"))
    with db.tenant(trained_tenant) as conn:
        end_of_data = data_time(conn).astimezone(UTC)
        end = end_of_data.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        start = (end - timedelta(days=1)).replace(day=1)
        expected = conn.execute(
            "SELECT coalesce((SELECT e.channel FROM events e WHERE e.type = 'checkout' "
            "AND e.properties->>'order_id' = r.order_id ORDER BY e.ts LIMIT 1), 'unknown'), sum(r.quantity) "
            "FROM returns r WHERE r.returned_at >= %s AND r.returned_at < %s GROUP BY 1 ORDER BY 2 DESC, 1",
            (start, end),
        ).fetchall()
    assert expected, "the demo tenant has returns in its last month"
    assert (table.period_start, table.period_end) == (start, end)
    assert [(row[0], row[1]) for row in table.rows] == [(c, int(n)) for c, n in expected]
    assert table.columns == ["storefront", "returned_units", "return_lines", "refunded_usd"]
    assert table.chart.x == "storefront" and table.chart.y == "returned_units"
    assert "FROM returns r" in table.sql and start.isoformat(sep=" ")[:10] in table.sql  # the cited query, as run


def test_a_dimension_the_query_lacks_is_refused_before_any_sql_runs() -> None:
    with pytest.raises(ValidationError, match=r"by: 'tickets' groups by one of intent, sentiment.*not 'storefront'"):
        MetricRequest(query="tickets", by="storefront")
    with pytest.raises(ValidationError, match="query"):
        MetricRequest.model_validate({"query": "DROP TABLE customers", "by": "region"})


def test_a_catalogue_query_cannot_write(db: Database, make_tenant: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a catalogue entry that tried to write would fail: the tool's transaction is read-only."""
    tenant = make_tenant("metricsro")  # type: ignore[operator]
    writing = Entry(
        title="Bad", description="writes", dimensions={"region": "'x'"}, measures=("n",), chart="n",
        time="now()", template="WITH w AS (INSERT INTO tenant_settings (key, value) SELECT 'k', '1'::jsonb "
        "WHERE {time} >= %(start)s RETURNING key) SELECT {group}, count(*) FROM w "
        "WHERE now() < %(end)s GROUP BY 1 LIMIT %(limit)s",
    )  # fmt: skip
    monkeypatch.setitem(metrics_catalogue.CATALOGUE, "returns", writing)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        run_metric(db, tenant, MetricRequest.model_construct(query="returns", by="region", period="all", limit=5))
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM tenant_settings").fetchone() == (0,)


def test_tickets_by_intent_are_the_tenants_own(db: Database, trained_tenant: str, make_tenant: object) -> None:
    mine = run_metric(db, trained_tenant, MetricRequest(query="tickets", by="intent", period="all", limit=50))
    with db.tenant(trained_tenant) as conn:
        total = conn.execute("SELECT count(*) FROM tickets").fetchone()
    assert total is not None and sum(int(r[1]) for r in mine.rows) == total[0] > 0
    other = make_tenant("metricsother")  # type: ignore[operator]
    assert run_metric(db, other, MetricRequest(query="tickets", by="intent", period="all")).rows == []
