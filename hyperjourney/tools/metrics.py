"""The metric tool: a typed request names a catalogue query, a dimension and a period; it runs read-only under the
tenant's row-level security and returns a table, a chart spec and the exact query it ran (the citation).

A request is validated before any SQL exists (an unknown query or dimension is an error naming the field and the
allowed values). Periods are calendar periods relative to the moment the tenant's data reaches, not the wall
clock, so "last month" on a demo loaded a while ago still means the data's last month.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from psycopg import ClientCursor, sql
from pydantic import BaseModel, Field, model_validator

from hyperjourney.db.database import Database
from hyperjourney.features.store import data_time
from hyperjourney.tools.metrics_catalogue import CATALOGUE

QueryName = Literal[
    "returns", "revenue", "return_rate", "conversion_by_journey", "conversion_by_channel", "churn_by_cohort", "tickets"
]
Period = Literal["last_month", "this_month", "last_30_days", "last_90_days", "last_365_days", "all"]


class MetricRequest(BaseModel):
    """Which catalogue query to run, grouped how, over which period (the LLM tier's output schema too)."""

    query: QueryName = Field(description="The catalogue query: " + "; ".join(
        f"{k}: {e.description}" for k, e in CATALOGUE.items()))  # fmt: skip
    by: str = Field(description="The dimension to group by; each query lists its own (e.g. returns: storefront)")
    period: Period = Field("last_month", description="Calendar period relative to the end of the tenant's data")
    limit: int = Field(10, ge=1, le=50, description="Most rows to return")

    @model_validator(mode="after")
    def _known_dimension(self) -> MetricRequest:
        allowed = CATALOGUE[self.query].dimensions
        if self.by not in allowed:
            raise ValueError(f"by: {self.query!r} groups by one of {', '.join(allowed)}, not {self.by!r}")
        return self


class Chart(BaseModel):
    kind: Literal["bar"] = "bar"
    x: str
    y: str
    title: str


class MetricTable(BaseModel):
    """A catalogue query's answer: the rows, how to chart them, and the query that produced them."""

    request: MetricRequest
    title: str
    columns: list[str]
    rows: list[list[str | int | float]]
    chart: Chart
    period_start: datetime
    period_end: datetime
    sql: str = Field(description="The query as run, with its parameters inlined (what the answer cites)")


def period_bounds(period: Period, end_of_data: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a period ending with the tenant's data; months are calendar months (UTC)."""
    now = end_of_data.astimezone(UTC)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if period == "this_month":
        return month, now
    if period == "last_month":
        return (month - timedelta(days=1)).replace(day=1), month
    if period == "all":
        return datetime(1970, 1, 1, tzinfo=UTC), now
    days = {"last_30_days": 30, "last_90_days": 90, "last_365_days": 365}[period]
    return now - timedelta(days=days), now


def _cell(value: Any) -> str | int | float:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def run_metric(db: Database, tenant: str, request: MetricRequest) -> MetricTable:
    """Run one catalogue query read-only for the tenant (a write inside it would fail, not happen)."""
    entry = CATALOGUE[request.query]
    group = entry.dimensions[request.by].format(time=entry.time)
    stmt = sql.SQL(entry.template.format(group=group, time=entry.time))
    with db.tenant(tenant) as conn:
        conn.execute("SET TRANSACTION READ ONLY")
        start, end = period_bounds(request.period, data_time(conn))
        params = {"start": start, "end": end, "limit": request.limit}
        cited = ClientCursor(conn).mogrify(stmt, params)
        rows = [[_cell(v) for v in row] for row in conn.execute(stmt, params).fetchall()]
    columns = [request.by, *entry.measures]
    return MetricTable(
        request=request, title=f"{entry.title} by {request.by.replace('_', ' ')}", columns=columns, rows=rows,
        chart=Chart(x=request.by, y=entry.chart, title=f"{entry.title}: {entry.chart.replace('_', ' ')}"),
        period_start=start, period_end=end, sql=cited,
    )  # fmt: skip
