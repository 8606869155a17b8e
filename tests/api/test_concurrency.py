"""Four times as many concurrent requests as the pool has connections: every one finishes (issue 20.19).

Each request used to hold a pooled connection and ask for a second one (NBA scoring, journey branch scores,
a run's first redaction key); with the pool full of such requests every one waited for the 30 s pool timeout.
These run with real threads against the real app and database, with the nesting guard off (the deadlock
itself is what is tested), each burst bounded in time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hyperjourney.db.database import Database
from hyperjourney.guardrails.redaction_keys import forget_cached_keys
from hyperjourney.journeys import store
from hyperjourney.journeys.launch import JourneyPlan, launch_plan
from hyperjourney.journeys.runner import JourneyRunner, RunStats
from hyperjourney.settings import Settings
from tests.actions_fixtures import T0, add_customers, add_events

KeyFactory = Callable[..., dict[str, str]]
BOUND_S = 240  # far above a healthy burst, far below 32 requests each waiting out a 30 s pool timeout in turn


@pytest.fixture(scope="module")
def own_tenant(db: Database) -> str:
    """A trained tenant with the demo knowledge base of its own: these bursts add customers, events and NBA
    refreshes, which made the shared trained tenant's serving scores drift from training for the scoring suite."""
    from hyperjourney.knowledge.ingest import ingest_path
    from tests.conftest import DEMO_KB, seeded_and_trained

    tenant = seeded_and_trained(db, "conc")
    ingest_path(db, tenant, DEMO_KB)
    return tenant


@pytest.fixture
def burst(db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """How many at once: four times the pool; the guard is off so a nested connection really deadlocks."""
    monkeypatch.setattr(db, "guard_nested", False)
    yield 4 * settings.pool_max_size


def _all(n: int, work: Callable[[int], Any]) -> list[Any]:
    pool = ThreadPoolExecutor(max_workers=n)
    try:
        futures: list[Future[Any]] = [pool.submit(work, i) for i in range(n)]
        _, pending = wait(futures, timeout=BOUND_S)
        assert not pending, f"{len(pending)} of {n} still waiting after {BOUND_S} s (pool deadlock)"
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _customers(db: Database, tenant: str, n: int) -> list[str]:
    with db.tenant(tenant) as conn:
        return [r[0] for r in conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT %s", (n,))]


def test_nba_at_four_times_the_pool(
    client: TestClient, db: Database, own_tenant: str, auth_for: KeyFactory, burst: int
) -> None:
    headers = auth_for(own_tenant)
    customers = _customers(db, own_tenant, burst)

    def decide(i: int) -> tuple[int, str]:
        body = {"customer_id": customers[i], "event": {"type": "pricing_view"}}
        response = client.post("/v1/nba", headers=headers, json=body)
        return response.status_code, response.json().get("signals_source", response.text)

    assert _all(burst, decide) == [(200, "models")] * burst


def test_copilot_run_starts_at_four_times_the_pool(
    client: TestClient, db: Database, own_tenant: str, auth_for: KeyFactory, burst: int
) -> None:
    headers = auth_for(own_tenant)
    with db.tenant(own_tenant) as conn:
        tickets = [r[0] for r in conn.execute("SELECT ticket_id FROM tickets ORDER BY ticket_id LIMIT %s", (burst,))]
    forget_cached_keys()  # as on a freshly started server: the first redaction needs the tenant's key

    def start(i: int) -> tuple[int, str]:
        body = {"flow": "copilot", "ticket_id": tickets[i % len(tickets)]}
        response = client.post("/v1/runs?wait=true", headers=headers, json=body)
        return response.status_code, response.json().get("status", response.text)

    results = _all(burst, start)
    assert [code for code, _ in results] == [202] * burst
    assert {status for _, status in results} <= {"completed", "escalated", "awaiting_approval"}, results


def test_journey_ticks_at_four_times_the_pool(db: Database, own_tenant: str, burst: int) -> None:
    """Every tick reads model scores in the cart journey's branch; all share one tenant and its cursor."""
    tenant, tag = own_tenant, uuid.uuid4().hex[:6]
    journey_id = f"cart-conc-{tag}"
    ids = [f"conc-{tag}-{i}" for i in range(burst)]
    add_customers(db, tenant, ids)
    launch_plan(db, tenant, JourneyPlan(template="cart-abandon", journey_id=journey_id), now=T0)
    add_events(
        db, tenant, [(f"ev-{tag}-{i}", cid, "added_to_cart", T0, {"cart_id": f"cart-{i}"}) for i, cid in enumerate(ids)]
    )
    try:
        enrolled = _all(burst, lambda _: JourneyRunner(db, tenant).tick(T0))
        moved = _all(burst, lambda _: JourneyRunner(db, tenant).tick(T0 + timedelta(hours=5)))
    finally:
        with db.tenant(tenant) as conn:
            store.set_status(conn, journey_id, "paused", actor="test")
    total = RunStats()
    for stats in enrolled + moved:
        total.add(stats)
    with db.tenant(tenant) as conn:
        states = conn.execute(
            "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FROM journey_enrollments WHERE journey_id = %s",
            (journey_id,),
        ).fetchone()
    assert total.enrolled + total.holdout == burst  # each event was read by exactly one tick
    assert total.timeouts == total.enrolled > 0  # every treated cart timed out into the scored branch once
    assert states == (0, burst)
