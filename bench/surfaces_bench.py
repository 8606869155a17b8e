"""Headless API costs, in process (ASGI): what a key check with RLS binding adds to a request, events ingested
per second over HTTP, and how soon a canvas run's first step reaches an SSE client.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings

REQUESTS = 300
EVENTS_PER_REQUEST = 1000
BATCHES = 5
RUNS = 5


def _p50_ms(client: TestClient, path: str, headers: dict[str, str]) -> float:
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        assert client.get(path, headers=headers).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _events(customer_ids: list[str], batch: int) -> list[dict[str, Any]]:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        {
            "event_id": f"bench-{batch}-{i}",
            "customer_id": customer_ids[i % len(customer_ids)],
            "type": "page_view",
            "ts": (t0 + timedelta(seconds=i)).isoformat(),
            "properties": {"path": "/pricing"},
        }
        for i in range(EVENTS_PER_REQUEST)
    ]


def _first_step_ms(client: TestClient, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    run = client.post("/v1/runs", headers=headers, json={"flow": "canvas", "goal": "Lift LTV 20% in fintech SMBs"})
    with client.stream("GET", run.json()["events_url"], headers=headers) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: step"):
                return (time.perf_counter() - start) * 1000
    raise RuntimeError("the stream ended without a step")


def run() -> list[Figure]:
    with scratch_database() as scratch:
        db: Database = scratch  # type: ignore[assignment]
        tenant = "bench"
        db.create_tenant(tenant)
        seed(db, tenant, customers=500, events=5000, tickets=20)
        import hyperjourney.knowledge
        from hyperjourney.knowledge.ingest import ingest_path

        ingest_path(db, tenant, Path(hyperjourney.knowledge.__file__).parent / "kb" / "demo")
        settings = Settings(api=ApiSettings(burst=1_000_000, stream_poll_seconds=0.02))
        headers = {"Authorization": f"Bearer {create_key(db, tenant, 'bench').token}"}
        with db.tenant(tenant) as conn:
            customers = [r[0] for r in conn.execute("SELECT customer_id FROM customers ORDER BY 1 LIMIT 200")]
        with TestClient(create_app(db, settings)) as client:
            health = _p50_ms(client, "/health", {})
            review = _p50_ms(client, "/v1/review?limit=1", headers)
            with stopwatch() as took:
                for b in range(BATCHES):
                    body = client.post("/v1/events", headers=headers, json={"events": _events(customers, b)}).json()
                    assert body["inserted"] == EVENTS_PER_REQUEST, body
            rate = BATCHES * EVENTS_PER_REQUEST / took()
            first = statistics.median(_first_step_ms(client, headers) for _ in range(RUNS))
    return [
        Figure("api: unauthenticated /health p50", health, "ms", "baseline", higher_is_better=False),
        Figure(
            "api: key check + RLS-bound read p50",
            review,
            "ms",
            "< 25 ms",
            baseline=health,
            higher_is_better=False,
            meets_target=review < 25,
        ),
        Figure("api: events ingested over HTTP", rate, "events/s", ">= 5,000/s", meets_target=rate >= 5000),
        Figure(
            "api: canvas POST → first SSE step p50",
            first,
            "ms",
            "< 2,000 ms",
            higher_is_better=False,
            meets_target=first < 2000,
        ),
    ]
