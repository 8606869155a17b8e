"""Request ids, request latency, ``/metrics`` and the workers' half of readiness.

Every request gets an id (the caller's ``X-Request-ID`` when it is a sane token, else a new one), bound for
every log line and span it causes and echoed in the response; its latency is observed by route template (not
raw path: ids in paths would make a series per customer) and logged as one structured line.

``/metrics`` is the Prometheus text format: this process's counters (telemetry/metrics.py) and, read at scrape
time, the job queue's depth and age per queue, live workers, and per tenant the outbox's retries and dead
letters and the journey lag (``ops_tenant_gauges()``, aggregates only). It carries counts, never customer data.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hyperjourney.db.database import Database
from hyperjourney.telemetry import context
from hyperjourney.telemetry.metrics import REGISTRY, REQUEST_SECONDS

log = logging.getLogger("hyperjourney.api")
router = APIRouter(tags=["health"])
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
WORKER_HEARTBEAT_S = 30  # procrastinate beats every 10 s and calls a worker stalled after 30


class RequestContext:
    """Pure ASGI (no BaseHTTPMiddleware): streamed responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        started = time.perf_counter()
        with context.bound(request_id=request_id):
            try:
                await self.app(scope, receive, sending)
            finally:
                took = time.perf_counter() - started
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                REQUEST_SECONDS.labels(method=scope["method"], route=route, status=str(status)).observe(took)
                log.info("%s %s %d %.1f ms", scope["method"], route, status, took * 1000)


def live_workers(db: Database) -> int:
    """Workers whose heartbeat is recent (any machine sharing this database)."""
    with db.unbound() as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => %s)",
            (WORKER_HEARTBEAT_S,),
        ).fetchone()
    return int(row[0]) if row else 0


def _database_gauges(db: Database) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    with db.unbound() as conn:
        queues = conn.execute(
            "SELECT j.queue_name, count(*), coalesce(max(extract(epoch FROM now() - ("
            "SELECT min(e.at) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type = 'deferred'))), 0)::float8 "
            "FROM procrastinate_jobs j "
            "WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now()) GROUP BY 1"
        ).fetchall()
        tenants = conn.execute("SELECT * FROM ops_tenant_gauges()").fetchall()
    depth = GaugeMetricFamily("hyperjourney_queue_depth", "Jobs due and waiting, by queue", labels=["queue"])
    age = GaugeMetricFamily("hyperjourney_queue_oldest_age_seconds", "Wait of the oldest due job", labels=["queue"])
    for queue, count, oldest in queues:
        depth.add_metric([queue], count)
        age.add_metric([queue], oldest)
    alive = GaugeMetricFamily("hyperjourney_workers_alive", "Workers with a recent heartbeat", value=live_workers(db))
    per_tenant = {
        "hyperjourney_outbox_pending": "Outbox sends waiting (first try or retry)",
        "hyperjourney_outbox_retrying": "Outbox sends waiting for a retry after a failed attempt",
        "hyperjourney_outbox_dead_letters": "Outbox sends that used up their attempts",
        "hyperjourney_journey_lag_seconds": "Age of the oldest event the journeys have not read",
    }
    tenant_families = [GaugeMetricFamily(name, text, labels=["tenant"]) for name, text in per_tenant.items()]
    for tenant, *values in tenants:
        for family, value in zip(tenant_families, values, strict=True):
            family.add_metric([tenant], float(value))
    registry.register(_Read([depth, age, alive, *tenant_families]))
    return registry


class _Read:
    """Metric families already read from the database (a collector prometheus_client can register)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families


@router.get(
    "/metrics",
    summary="Prometheus metrics (no key; counts only, no customer data)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition format"}},
)
def metrics(request: Request) -> Response:
    db: Database = request.app.state.db
    body = generate_latest(REGISTRY) + generate_latest(_database_gauges(db))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
