"""Agent runs as jobs: the API queues them, a worker runs them, and the API answers from the database."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from procrastinate import PsycopgConnector

from hyperjourney.api import runs_service as svc
from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings, WorkerSettings
from hyperjourney.workers.queue import RUNS_QUEUE
from hyperjourney.workers.tasks import WorkerEnv, build_app

GOAL = "Lift LTV 20% in fintech SMBs"


@contextmanager
def worker_thread(db: Database, settings: Settings) -> Iterator[None]:
    """A real procrastinate worker on the runs queue, on its own event loop in a thread of this process."""
    app = build_app(settings, PsycopgConnector(conninfo=db.app_url, min_size=1, max_size=3))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def work() -> None:
        async with app.open_async():
            await app.run_worker_async(
                queues=[RUNS_QUEUE], concurrency=1, install_signal_handlers=False, fetch_job_polling_interval=0.2,
                additional_context={"env": WorkerEnv.build(db, settings)},
            )  # fmt: skip

    async def start() -> asyncio.Task[None]:
        return asyncio.create_task(work())

    running = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        yield
    finally:  # cancelling the worker's task is its documented graceful stop; wait for it to finish
        loop.call_soon_threadsafe(running.cancel)
        asyncio.run_coroutine_threadsafe(asyncio.wait([running]), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)


def queued(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"workers": WorkerSettings(run_graphs=True), "api": ApiSettings(burst=1000, stream_poll_seconds=0.05)}
    )


def test_a_run_queued_by_an_api_process_that_went_away_is_run_by_a_worker(
    db: Database, settings: Settings, tenant: str
) -> None:
    s = queued(settings)
    live = svc.start_live(db, s, tenant, "canvas", GOAL)  # queued; nothing runs it in this process
    assert not live.started.wait(0.5) and live.run_id is None
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM agent_runs").fetchone() == (0,)
    with worker_thread(db, s):  # the API is gone; a worker takes the job
        again = create_app(db, s)
        key = create_key(db, tenant, "test", "viewer").token
        with TestClient(again) as client:
            assert live.done.wait(120), "the worker did not run the queued canvas goal"
            assert live.run_id is not None and live.error is None
            listed = client.get("/v1/runs", headers={"Authorization": f"Bearer {key}"}).json()
    assert [r["run_id"] for r in listed["items"]] == [live.run_id]
    assert live.result is not None and live.result.status == listed["items"][0]["status"]


def test_the_api_answers_a_queued_run_like_one_it_ran(db: Database, settings: Settings, tenant: str) -> None:
    s = queued(settings)
    key = create_key(db, tenant, "test", "reviewer").token
    with worker_thread(db, s), TestClient(create_app(db, s)) as client:
        done = client.post(
            "/v1/runs?wait=true", headers={"Authorization": f"Bearer {key}"}, json={"flow": "canvas", "goal": GOAL}
        )
    assert done.status_code == 202, done.text
    body = done.json()
    # the tenant has no customers: the worker's Researcher stops the plan with the reason (issue 15.5), and the API
    # answers with that stop exactly as it would for a run it ran itself
    assert body["status"] == "completed" and not body.get("approval")
    assert "No plan: no customer matches" in json.dumps(body)
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT run_id, error FROM run_jobs").fetchone()
    assert row == (body["run_id"], None)
