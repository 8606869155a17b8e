"""A node LangGraph replays (a resume after a crash re-runs it) records its step and the step's audit entry once."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Command
from pydantic import BaseModel

from hyperjourney.agents.base import Step
from hyperjourney.db.database import Database
from hyperjourney.graphs import canvas, runs
from hyperjourney.graphs.canvas import build_canvas_graph
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.recorder import Recorder
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from tests.agentkit import RecordingLauncher, fixed_clock


class _Out(BaseModel):
    kind: str


def test_a_replayed_step_writes_no_second_row_or_audit_entry(db: Database, settings: Settings, tenant: str) -> None:
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=RecordingLauncher())
    router = deps.context(tenant, "run-replay", "canvas").router
    recorder = Recorder(db)
    recorder.ensure_run(tenant, "run-replay", "canvas", {"goal": "x"})
    route = Step("route", router.tool_step("route", _Out(kind="campaign"), "fixed"), [], {"goal": "x"})
    first = recorder.step(tenant, "run-replay", node="supervisor", agent="supervisor", step=route)
    again = recorder.step(tenant, "run-replay", node="supervisor", agent="supervisor", step=route)
    other = recorder.step(tenant, "run-replay", node="researcher", agent="researcher", step=route)
    assert (first, again, other) == (1, 1, 2)
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT node FROM agent_steps WHERE run_id = 'run-replay' ORDER BY step_no").fetchall()
        audited = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = 'run-replay' AND action = 'step:route'"
        ).fetchone()
    assert rows == [("supervisor",), ("researcher",)] and audited == (2,)


class _Crash(Exception):
    """The process dies after the approval node wrote its decision, before LangGraph checkpointed the node."""


def test_a_replayed_approval_writes_its_audit_entry_once(
    db: Database, settings: Settings, seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    launcher = RecordingLauncher()
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)
    run_id = runs.start_canvas(db, seeded, "Lift LTV 20% in fintech SMBs", deps=deps).run_id
    config: Any = {"configurable": {"thread_id": run_id}}
    approve = Command(resume={"action": "approve", "reviewer": "ana"})
    kept = canvas.launchable

    def crash(*args: Any) -> Any:
        raise _Crash

    with tenant_saver(db, seeded) as saver:
        graph = build_canvas_graph(saver)
        monkeypatch.setattr(canvas, "launchable", crash)  # called right after the decision's audit entry
        with pytest.raises(_Crash):
            graph.invoke(approve, config, context=deps)
        monkeypatch.setattr(canvas, "launchable", kept)
        out = graph.invoke(approve, config, context=deps)  # the node runs again from the same checkpoint
        graph.invoke(None, config, context=deps)  # and a later replay of the finished run adds nothing
    assert out["status"] == "completed" and len(launcher.launched) == 1
    with db.tenant(seeded) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE entity = %s", (run_id,))]
    assert actions.count("approval:approve") == 1 and actions.count("run_finished") == 1
