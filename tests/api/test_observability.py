"""/metrics, request ids and readiness that counts workers, over the app the API serves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from hyperjourney.api.app import create_app
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def serve_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """The app as `serve` builds it: readiness needs a live worker."""
    with TestClient(create_app(db, settings, require_workers=True)) as client:
        yield client


def test_requests_carry_an_id_and_are_timed_by_route(serve_client: TestClient) -> None:
    given = serve_client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = serve_client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"}).headers["x-request-id"]
    assert len(made) == 32 and made != "abc-123"
    serve_client.get("/v1/runs/run-123")  # a 401: timed under its template, not its path
    samples = _samples(serve_client.get("/metrics").text)
    assert samples[("hyperjourney_http_request_duration_seconds_count",
                    (("method", "GET"), ("route", "/health"), ("status", "200")))] >= 2  # fmt: skip
    assert not any("run-123" in str(labels) for _, labels in samples)


def test_metrics_report_dead_letters_queue_depth_and_journey_lag(
    db: Database, serve_client: TestClient, make_tenant: object
) -> None:
    tenant = make_tenant("obs")  # type: ignore[operator]
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO outbox (idempotency_key, customer_id, channel, purpose, payload, status, attempts) VALUES "
            "('k1', 'c1', 'email', 'marketing', '{}', 'dead', 6), ('k2', 'c1', 'email', 'marketing', '{}', "
            "'pending', 2), ('k3', 'c1', 'email', 'marketing', '{}', 'pending', 0)"
        )
    label = (("tenant", tenant),)
    before = _samples(serve_client.get("/metrics").text)
    assert before[("hyperjourney_journey_lag_seconds", label)] == 0  # no event to read
    with db.tenant(tenant) as conn:  # an event the journeys have not read, ingested 90 s ago
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, ingested_at) "
            "VALUES (%s, 'e1', 'c1', 'page_view', now(), now() - interval '90 seconds')",
            (tenant,),
        )
    with db.admin() as conn:
        job = conn.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name) VALUES ('obs-test', 'noop') RETURNING id"
        ).fetchone()
        conn.execute(
            "INSERT INTO procrastinate_events (job_id, type, at) VALUES (%s, 'deferred', now() - interval '42 s')", job
        )
    try:
        samples = _samples(serve_client.get("/metrics").text)
    finally:
        with db.admin() as conn:
            conn.execute("DELETE FROM procrastinate_jobs WHERE id = %s", job)
    assert samples[("hyperjourney_outbox_dead_letters", label)] == 1
    assert samples[("hyperjourney_outbox_retrying", label)] == 1
    assert samples[("hyperjourney_outbox_pending", label)] == 2
    assert samples[("hyperjourney_journey_lag_seconds", label)] >= 90
    assert samples[("hyperjourney_queue_depth", (("queue", "obs-test"),))] == 1
    assert samples[("hyperjourney_queue_oldest_age_seconds", (("queue", "obs-test"),))] >= 42
    assert ("hyperjourney_workers_alive", ()) in samples


def test_ready_needs_a_live_worker_where_serve_relies_on_them(db: Database, serve_client: TestClient) -> None:
    with db.admin() as conn:  # nothing else in this test database runs a worker
        conn.execute("DELETE FROM procrastinate_workers")
    waiting = serve_client.get("/ready")
    assert waiting.status_code == 503 and "no worker" in waiting.json()["detail"]
    assert serve_client.get("/health").status_code == 200  # liveness never asks the database or the workers
    with db.admin() as conn:
        worker = conn.execute("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id").fetchone()
    try:
        ready = serve_client.get("/ready")
        assert ready.status_code == 200 and ready.json()["workers"] == 1
    finally:
        with db.admin() as conn:
            conn.execute("DELETE FROM procrastinate_workers WHERE id = %s", worker)
