"""The SSE pushes each step while the run works (graphs/run_events.py), for a run in this process and a run in a
worker, and a late reader still gets the whole record.

The run is held at the start of the Researcher and of the Analyst. The stream's fallback re-read is set to a
minute, longer than the Analyst waits: the Researcher's steps reach the stream while the run is held at the
Analyst only if they are pushed, and only then is the Analyst let go.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hyperjourney.agents import analyst, researcher
from hyperjourney.agents.base import AgentContext, AgentResult
from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.graphs import canvas
from hyperjourney.settings import ApiSettings, Settings
from hyperjourney.workers import queue
from tests.agentkit import seed_small_tenant
from tests.workers.test_queued_runs import GOAL, queued, worker_thread

HELD_S = 45.0  # how long the Analyst waits to be let go: less than the stream's fallback re-read


class Gates:
    """Holds the run at the Researcher (until the stream is open) and at the node after it, the Analyst or (a
    plan the Researcher stopped) the finish, until a pushed step lets it go."""

    def __init__(self) -> None:
        self.run_ids: list[str] = []
        self.at_researcher, self.go_researcher = threading.Event(), threading.Event()
        self.at_analyst, self.go_analyst = threading.Event(), threading.Event()
        self.analyst_timed_out = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        research, size = researcher.research_goal, analyst.size_opportunity

        def held_research(ctx: AgentContext, goal: str) -> AgentResult:
            self.run_ids.append(ctx.run_id)
            self.at_researcher.set()
            assert self.go_researcher.wait(HELD_S)
            return research(ctx, goal)

        def held_size(ctx: AgentContext, brief: researcher.ResearchBrief) -> AgentResult:
            self.at_analyst.set()
            self.analyst_timed_out = not self.go_analyst.wait(HELD_S)
            return size(ctx, brief)

        finish = canvas.close_run

        def held_finish(*args: Any) -> Any:  # a Researcher that stops the plan goes straight to the finish
            self.at_analyst.set()
            self.analyst_timed_out = not self.go_analyst.wait(HELD_S)
            return finish(*args)

        monkeypatch.setattr(researcher, "research_goal", held_research)
        monkeypatch.setattr(analyst, "size_opportunity", held_size)
        monkeypatch.setattr(canvas, "close_run", held_finish)


def _follow(client: TestClient, url: str, headers: dict[str, str], on_step: Callable[[dict[str, Any]], None]) -> list[
        tuple[str, dict[str, Any]]]:  # fmt: skip
    out: list[tuple[str, dict[str, Any]]] = []
    event = "message"
    with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                out.append((event, data))
                if event == "step":
                    on_step(data)
    return out


def _pushed_while_held(client: TestClient, gates: Gates, headers: dict[str, str]) -> None:
    """Open the run's stream while the run is held at the Researcher; let the Analyst go at the first of the
    Researcher's steps the stream pushes; then check what came and what a late reader reads."""
    assert gates.at_researcher.wait(120), "the run did not reach the Researcher"
    run_id = gates.run_ids[0]
    url = f"/v1/runs/{run_id}/events"
    held_at_analyst: list[bool] = []

    def on_step(step: dict[str, Any]) -> None:
        if step["node"] == "supervisor":
            gates.go_researcher.set()  # the stream is open and has read the record so far
        elif step["node"] == "researcher" and not gates.go_analyst.is_set():
            held_at_analyst.append(gates.at_analyst.wait(120))  # however slow the hop: the Analyst waits HELD_S
            gates.go_analyst.set()

    stream = _follow(client, url, headers, on_step)
    assert held_at_analyst == [True], "the run did not reach the node after the Researcher"
    assert not gates.analyst_timed_out, "the stream did not push the Researcher's step while the run was held"
    steps = [d for e, d in stream if e == "step"]
    assert [s["node"] for s in steps][:2] == ["supervisor", "researcher"]
    status = client.get(f"/v1/runs/{run_id}", headers=headers).json()["status"]  # paused, or finished
    assert stream[-1][0] == "end" and stream[-1][1]["status"] == status
    late = _follow(client, f"{url}?after=0", headers, lambda step: None)
    assert [d["step_no"] for e, d in late if e == "step"] == [s["step_no"] for s in steps]


def _slow_recheck(settings: Settings) -> Settings:
    return settings.model_copy(update={"api": ApiSettings(burst=1000, stream_poll_seconds=60)})


@pytest.fixture(scope="module")
def seeded(db: Database) -> str:
    """A tenant whose segment has customers (an empty one stops at the Researcher, before the Analyst)."""
    return seed_small_tenant(db, "push")


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gates]:
    held = Gates()
    held.install(monkeypatch)
    yield held
    held.go_researcher.set()  # never leave a run thread waiting on a failed test
    held.go_analyst.set()


def test_sse_pushes_each_step_of_a_run_in_this_process(
    db: Database, settings: Settings, seeded: str, gates: Gates
) -> None:
    tenant = seeded
    s = _slow_recheck(settings)
    headers = {"Authorization": f"Bearer {create_key(db, tenant, 'test', 'reviewer').token}"}
    with TestClient(create_app(db, s)) as client:
        client_thread = threading.Thread(
            target=lambda: client.post("/v1/runs", headers=headers, json={"flow": "canvas", "goal": GOAL})
        )
        client_thread.start()  # answers at the first step; the run goes on in a thread of the app
        _pushed_while_held(client, gates, headers)
        client_thread.join(30)


def test_sse_pushes_each_step_of_a_run_in_a_worker(db: Database, settings: Settings, tenant: str, gates: Gates) -> None:
    s = _slow_recheck(queued(settings))
    headers = {"Authorization": f"Bearer {create_key(db, tenant, 'test', 'reviewer').token}"}
    with db.tenant(tenant) as conn:
        queue.defer_run(conn, tenant, "canvas", GOAL)
    with worker_thread(db, s), TestClient(create_app(db, s)) as client:
        _pushed_while_held(client, gates, headers)
