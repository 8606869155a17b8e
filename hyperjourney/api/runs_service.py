"""Agent runs as the API and the UI see them: started live, read back with evidence, audit trail and approval.

Runs are executed by ``hyperjourney.graphs.runs``; this module adds what a surface needs around it:
learning a new run's id as soon as its first step is recorded (so steps can be streamed while it runs),
the pending approval and the cited evidence from the run's checkpoint, and the run's audit entries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

import hyperjourney.graphs.runs as runs
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.flows import build_graph, results_of
from hyperjourney.graphs.outcomes import run_totals
from hyperjourney.graphs.recorder import Recorder
from hyperjourney.graphs.run_events import PAUSED, TERMINAL, steps_after, woken_by_runs
from hyperjourney.graphs.runs import RunHeader
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.guardrails.records import RecordFact
from hyperjourney.settings import Settings
from hyperjourney.workers import queue


class EvidenceView(BaseModel):
    citation_id: str
    title: str = ""
    text: str


class AuditEntry(BaseModel):
    seq: int
    ts: datetime
    actor: str
    action: str
    payload: dict[str, Any]


class RunDetail(RunHeader):
    steps: list[dict[str, Any]]
    approval: dict[str, Any] | None = Field(None, description="what the reviewer is asked, while awaiting approval")
    results: dict[str, Any] = Field(default_factory=dict, description="each agent's output, from the checkpoint")
    result: dict[str, Any] = Field(
        default_factory=dict, description="what the run produced: the copilot's reply and tone, or the launch"
    )
    evidence: list[EvidenceView]
    audit: list[AuditEntry]


class _TapRecorder(Recorder):
    def __init__(self, base: Recorder, tap: Callable[[str], None]) -> None:
        super().__init__(base.db, base.progress, enabled=base.enabled, writer=base.writer, task=base.task)
        self._tap = tap

    def step(self, tenant: str, run_id: str, **kwargs: Any) -> int:
        step_no = super().step(tenant, run_id, **kwargs)
        self._tap(run_id)
        return step_no


@dataclass
class _TappedDeps(Deps):
    """Deps whose recorder also reports the run id of every recorded step."""

    tap: Callable[[str], None] = lambda run_id: None

    @property
    def recorder(self) -> Recorder:
        return _TapRecorder(super().recorder, self.tap)


def tapped(deps: Deps, tap: Callable[[str], None]) -> Deps:
    return _TappedDeps(**{f.name: getattr(deps, f.name) for f in fields(deps)}, tap=tap)


class LiveRun:
    """A run executing in a worker thread; ``run_id`` is known once its first step is recorded."""

    def __init__(self) -> None:
        self.run_id: str | None = None
        self.result: runs.RunResult | None = None
        self.error: BaseException | None = None
        self.started = threading.Event()
        self.done = threading.Event()

    def wait_started(self, timeout: float = 120.0) -> None:
        """Block until the run has an id or has ended; re-raise a failure that came before any step."""
        self.started.wait(timeout)
        if self.run_id is None and self.error is not None:
            raise self.error


def start_live(
    db: Database,
    settings: Settings,
    tenant: str,
    flow: Literal["canvas", "copilot"],
    value: str,
    *,
    on_step: Callable[[str], None] | None = None,
    deps: Deps | None = None,
) -> LiveRun:
    """Start a canvas goal or a copilot ticket; ``on_step(run_id)`` fires after each recorded step.

    With ``settings.workers.run_graphs`` (and no ``on_step`` or ``deps``, which only this process could call
    or use) the run is queued for the workers, so it survives a restart of this process, and followed here
    through the database; otherwise it runs in a thread of this process."""
    if settings.workers.run_graphs and on_step is None and deps is None:
        return _queued(db, settings, tenant, flow, value)
    live = LiveRun()

    def tap(run_id: str) -> None:
        live.run_id = run_id
        live.started.set()
        if on_step is not None:
            on_step(run_id)

    run_deps = tapped(deps or build_deps(db, settings), tap)

    def work() -> None:
        try:
            if flow == "canvas":
                live.result = runs.start_canvas(db, tenant, value, deps=run_deps)
            else:
                live.result = runs.start_copilot(db, tenant, value, deps=run_deps)
            live.run_id = live.result.run_id
        except BaseException as exc:
            live.error = exc
        finally:
            live.started.set()
            live.done.set()

    threading.Thread(target=work, name=f"run-{flow}", daemon=True).start()
    return live


def _queued(db: Database, settings: Settings, tenant: str, flow: Literal["canvas", "copilot"], value: str) -> LiveRun:
    """A run on the job queue; a thread here learns its id, then waits for it to pause or end (woken by the
    worker's run events, re-reading at ``stream_poll_seconds`` when none comes)."""
    with db.tenant(tenant) as conn:
        job_id = queue.defer_run(conn, tenant, flow, value)
    live = LiveRun()
    poll = settings.api.stream_poll_seconds

    def follow() -> None:
        try:
            with woken_by_runs(db) as wait:  # the worker notifies each step and the run's pause or end
                while live.run_id is None:
                    with db.tenant(tenant) as conn:
                        state = queue.job_state(conn, job_id)
                    if state.error is not None:
                        live.error = ValueError(state.error) if state.bad_input else RuntimeError(state.error)
                        return
                    live.run_id = state.run_id
                    if live.run_id is None:
                        wait(poll)
                live.started.set()
                while (status := steps_after(db, tenant, live.run_id, 10**9)[0]) not in TERMINAL | {PAUSED}:
                    wait(poll)
            if status != "failed":
                live.result = stored_result(db, settings, tenant, live.run_id, flow, str(status))
        except BaseException as exc:
            live.error = exc
        finally:
            live.started.set()
            live.done.set()

    threading.Thread(target=follow, name=f"follow-{flow}", daemon=True).start()
    return live


def stored_result(
    db: Database, settings: Settings, tenant: str, run_id: str, flow: Literal["canvas", "copilot"], status: str
) -> runs.RunResult:
    """What ``runs.start_*`` returned to the worker that ran it, read back from the run's checkpoint."""
    state = checkpoint_view(db, settings, tenant, run_id, flow)
    values = state["values"]
    return runs.RunResult(
        run_id=run_id,
        flow=flow,
        status=status,
        outcome={} if status == PAUSED else dict(values.get("outcome") or {}),
        approval=state["approval"],
        review=values.get("review", []),
        evidence=values.get("evidence", []),
        summary=run_totals(db, tenant, run_id),
    )


def checkpoint_view(db: Database, settings: Settings, tenant: str, run_id: str, flow: str) -> dict[str, Any]:
    """The run's latest state values and its pending approval (None unless paused)."""
    with tenant_saver(db, tenant) as saver:
        graph = build_graph(flow, saver)
        snapshot = graph.get_state({"configurable": {"thread_id": run_id}})
    pending = [i.value for task in snapshot.tasks for i in task.interrupts]
    return {"values": dict(snapshot.values or {}), "approval": pending[0] if pending else None}


def evidence_in(value: Any, found: dict[str, EvidenceView] | None = None) -> dict[str, EvidenceView]:
    """Every cited source an agent output carries, by citation id: knowledge chunks ({citation_id, text, title?}
    anywhere in it) and fields of the customer's record a reply states (RecordFact, shown as the guard reads it)."""
    found = {} if found is None else found
    if isinstance(value, dict):
        cid, text = value.get("citation_id"), value.get("text")
        if isinstance(cid, str) and cid.startswith("record:") and "value" in value and cid not in found:
            record = RecordFact.model_validate(value).evidence()
            found[cid] = EvidenceView(citation_id=cid, title=record.title, text=record.text)
        elif isinstance(cid, str) and isinstance(text, str) and cid not in found:
            found[cid] = EvidenceView(citation_id=cid, title=str(value.get("title") or ""), text=text)
        for item in value.values():
            evidence_in(item, found)
    elif isinstance(value, list):
        for item in value:
            evidence_in(item, found)
    return found


def audit_trail(db: Database, tenant: str, run_id: str) -> list[AuditEntry]:
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT seq, ts, actor, action, payload FROM audit_log WHERE entity = %s ORDER BY seq", (run_id,)
        ).fetchall()
    return [AuditEntry(seq=r[0], ts=r[1], actor=r[2], action=r[3], payload=r[4]) for r in rows]


def run_detail(db: Database, settings: Settings, tenant: str, run_id: str) -> RunDetail:
    """Everything about one run; raises ``runs.RunStateError`` when the tenant has no such run."""
    view = runs.show_run(db, tenant, run_id)
    state = checkpoint_view(db, settings, tenant, run_id, view.flow)
    results = results_of(view.flow, state["values"])
    return RunDetail(
        run_id=view.run_id,
        flow=view.flow,
        status=view.status,
        request=view.request,
        summary=view.summary,
        created_at=view.created_at,
        steps=[s.model_dump(mode="json") for s in view.steps],
        outcome=view.outcome,
        approval=state["approval"] if view.status == PAUSED else None,
        results=results,
        result=dict(state["values"].get("outcome") or {}),
        evidence=list(evidence_in(results).values()),
        audit=audit_trail(db, tenant, run_id),
    )
