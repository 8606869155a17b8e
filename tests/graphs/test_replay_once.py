"""A node LangGraph replays (a resume after a crash re-runs it) records its step and the step's audit entry once."""

from __future__ import annotations

from pydantic import BaseModel

from hyperjourney.agents.base import Step
from hyperjourney.db.database import Database
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
