"""Start, resume, list and show runs: what the CLI (and later the API and UI) call.

A run's thread id is its run id; its checkpoints live in the tenant's Postgres, so any process can
resume it. Resuming first claims the run (awaiting_approval → resuming) under a row lock and takes a
lease (resumed_by, lease_expires_at) that a heartbeat renews while the graph runs: two live processes
answering the same approval cannot both resume it, and a process that dies mid-resume leaves a lease
that expires, after which another process takes the run over from its last checkpoint.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime
from types import TracebackType
from typing import Any, cast

import psycopg
from langgraph.types import Command
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.outcomes import run_totals
from hyperjourney.graphs.state import Flow
from hyperjourney.graphs.supervisor import ApprovalDecision, build_graph
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.models.accounting import RunTotals
from hyperjourney.settings import get_settings


class RunStateError(ValueError):
    """The run cannot take this action in its current state (named in the message)."""


class RunResult(BaseModel):
    run_id: str
    flow: Flow
    status: str
    outcome: dict[str, Any] = Field(default_factory=dict)
    review: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    approval: dict[str, Any] | None = None
    summary: RunTotals = Field(default_factory=RunTotals)


class StepView(BaseModel):
    step_no: int
    node: str
    decision: str
    tier: str
    model: str
    prompt: str
    confidence: float | None
    reason: str
    escalations: list[str]
    tokens: int
    cost_usd: float
    latency_ms: float
    evidence_ids: list[str]
    review_reason: str | None
    at: datetime


class RunView(BaseModel):
    run_id: str
    flow: str
    status: str
    request: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime
    steps: list[StepView] = Field(default_factory=list)
    outcome: dict[str, Any] | None = None


def _deps(db: Database, deps: Deps | None) -> Deps:
    return deps or build_deps(db, get_settings())


def _invoke(deps: Deps, tenant: str, run_id: str, flow: Flow, payload: Any) -> RunResult:
    config: Any = {"configurable": {"thread_id": run_id}}
    with tenant_saver(deps.db, tenant) as saver:
        graph = build_graph(deps, saver, name=flow)
        try:
            out = graph.invoke(payload, config)
        except Exception as exc:
            _set_status(deps.db, tenant, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]})
            raise
        snapshot = graph.get_state(config)
    pending = [i.value for task in snapshot.tasks for i in task.interrupts]
    if pending:
        _set_status(deps.db, tenant, run_id, "awaiting_approval", None)
        values = snapshot.values
        return RunResult(
            run_id=run_id,
            flow=flow,
            status="awaiting_approval",
            approval=pending[0],
            review=values.get("review", []),
            evidence=values.get("evidence", []),
            summary=run_totals(deps.db, tenant, run_id),
        )
    return RunResult(
        run_id=run_id,
        flow=flow,
        status=out.get("status", "completed"),
        outcome=out.get("outcome", {}),
        review=out.get("review", []),
        evidence=out.get("evidence", []),
        summary=run_totals(deps.db, tenant, run_id),
    )


def _set_status(db: Database, tenant: str, run_id: str, status: str, summary: dict[str, Any] | None) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            "UPDATE agent_runs SET status = %s, summary = coalesce(%s, summary), updated_at = now() WHERE run_id = %s",
            (status, Jsonb(summary) if summary is not None else None, run_id),
        )


def _start(db: Database, tenant: str, flow: Flow, request: dict[str, Any], deps: Deps | None) -> RunResult:
    deps = _deps(db, deps)
    run_id = f"run-{uuid.uuid4().hex[:16]}"
    payload = deps.recorder.redacted({"flow": flow, **request}, tenant)  # first: the key may need a connection
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO agent_runs (run_id, flow, request, status) VALUES (%s, %s, %s, 'running')",
            (run_id, flow, Jsonb(request)),
        )
        audit.append(conn, actor="agents", action="run_started", entity=run_id, payload=payload)
    return _invoke(deps, tenant, run_id, flow, {"run_id": run_id, "tenant": tenant, "flow": flow, "request": request})


def start_canvas(db: Database, tenant: str, goal: str, *, deps: Deps | None = None) -> RunResult:
    if not goal.strip():
        raise ValueError("goal: must not be empty")
    return _start(db, tenant, "canvas", {"goal": goal.strip()}, deps)


def start_copilot(db: Database, tenant: str, ticket_id: str, *, deps: Deps | None = None) -> RunResult:
    with db.tenant(tenant) as conn:
        if conn.execute("SELECT 1 FROM tickets WHERE ticket_id = %s", (ticket_id,)).fetchone() is None:
            raise ValueError(f"ticket_id: no ticket {ticket_id!r} in tenant {tenant!r}")
    return _start(db, tenant, "copilot", {"ticket_id": ticket_id}, deps)


def start_nba(
    db: Database, tenant: str, customer_id: str, event: dict[str, Any] | None = None, *, deps: Deps | None = None
) -> RunResult:
    with db.tenant(tenant) as conn:
        if conn.execute("SELECT 1 FROM customers WHERE customer_id = %s", (customer_id,)).fetchone() is None:
            raise ValueError(f"customer_id: no customer {customer_id!r} in tenant {tenant!r}")
    return _start(db, tenant, "nba", {"customer_id": customer_id, "event": event}, deps)


class _Lease:
    """Renews a run's resume lease every third of its length while the graph works; stops on exit."""

    def __init__(self, db: Database, tenant: str, run_id: str, holder: str, lease_s: float) -> None:
        self.db, self.tenant, self.run_id, self.holder, self.lease_s = db, tenant, run_id, holder, lease_s
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease:{run_id}", daemon=True)

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                with self.db.tenant(self.tenant) as conn:
                    row = conn.execute(
                        "UPDATE agent_runs SET lease_expires_at = now() + make_interval(secs => %s) "
                        "WHERE run_id = %s AND status = 'resuming' AND resumed_by = %s RETURNING 1",
                        (self.lease_s, self.run_id, self.holder),
                    ).fetchone()
            except psycopg.Error:
                continue  # a missed beat is retried; the lease is three beats long
            if row is None:  # finished, or taken over after we stalled past the lease
                self.lost = True
                return


def _claim(db: Database, tenant: str, run_id: str, holder: str, lease_s: float) -> tuple[str, bool]:
    """Claim the run for ``holder``; returns (flow, takeover). Refuses a run another live process holds."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT flow, status, resumed_by, lease_expires_at, coalesce(lease_expires_at < now(), true) "
            "FROM agent_runs WHERE run_id = %s FOR UPDATE",
            (run_id,),
        ).fetchone()
        if row is None:
            raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
        flow, status, previous, expires, expired = row
        takeover = status == "resuming" and bool(expired)
        if status == "resuming" and not takeover:
            raise RunStateError(
                f"run {run_id} is resuming in {previous} (lease until {expires:%Y-%m-%d %H:%M:%S %Z}), "
                "not awaiting approval; it can be taken over once that lease expires"
            )
        if status != "awaiting_approval" and not takeover:
            raise RunStateError(f"run {run_id} is {status}, not awaiting approval")
        conn.execute(
            "UPDATE agent_runs SET status = 'resuming', resumed_by = %s, "
            "lease_expires_at = now() + make_interval(secs => %s), updated_at = now() WHERE run_id = %s",
            (holder, lease_s, run_id),
        )
        if takeover:
            audit.append(
                conn,
                actor=holder,
                action="run_resume_takeover",
                entity=run_id,
                payload={"previous": previous, "lease_expired_at": expires.isoformat() if expires else None},
            )
    return str(flow), takeover


def _resume_input(deps: Deps, tenant: str, run_id: str, flow: Flow, answer: dict[str, Any]) -> Any:
    """After a takeover: answer the interrupt if the crashed process never got past it, else carry on from
    the last checkpoint (the approval it recorded stands; replayed side effects are guarded per run)."""
    config: Any = {"configurable": {"thread_id": run_id}}
    with tenant_saver(deps.db, tenant) as saver:
        snapshot = build_graph(deps, saver, name=flow).get_state(config)
    if any(task.interrupts for task in snapshot.tasks):
        return Command(resume=answer)
    return None


def resume(
    db: Database,
    tenant: str,
    run_id: str,
    decision: ApprovalDecision | dict[str, Any],
    *,
    deps: Deps | None = None,
    holder: str | None = None,
) -> RunResult:
    """Answer a run's approval: approve, edit (re-validated by guardrails) or reject. Works from any process;
    ``holder`` names this resumer in the lease (default host:pid:random)."""
    answer = decision if isinstance(decision, ApprovalDecision) else ApprovalDecision.model_validate(decision)
    deps = _deps(db, deps)
    lease_s = deps.settings.graphs.resume_lease_s
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    flow_name, takeover = _claim(db, tenant, run_id, holder, lease_s)
    flow = cast(Flow, flow_name)
    payload = answer.model_dump(mode="json")
    with _Lease(db, tenant, run_id, holder, lease_s):
        command = _resume_input(deps, tenant, run_id, flow, payload) if takeover else Command(resume=payload)
        return _invoke(deps, tenant, run_id, flow, command)


def list_runs(db: Database, tenant: str, *, limit: int = 20) -> list[RunView]:
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT run_id, flow, status, request, summary, created_at FROM agent_runs "
            "ORDER BY created_at DESC LIMIT %s",
            (limit,),
        ).fetchall()
    keys = ("run_id", "flow", "status", "request", "summary", "created_at")
    return [RunView(**dict(zip(keys, r, strict=True))) for r in rows]


def show_run(db: Database, tenant: str, run_id: str) -> RunView:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT run_id, flow, status, request, summary, created_at FROM agent_runs WHERE run_id = %s", (run_id,)
        ).fetchone()
        if row is None:
            raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
        steps = conn.execute(
            "SELECT step_no, node, decision, tier, model, prompt_name || coalesce('@' || left(nullif(prompt_hash, ''),"
            " 12), ''), confidence, reason, escalations, input_tokens + output_tokens, cost_usd, latency_ms, "
            "evidence_ids, review_reason, created_at FROM agent_steps WHERE run_id = %s ORDER BY step_no",
            (run_id,),
        ).fetchall()
        outcome = conn.execute(
            "SELECT decision, reviewer, launch, next_steps FROM agent_outcomes WHERE run_id = %s", (run_id,)
        ).fetchone()
    keys = ("run_id", "flow", "status", "request", "summary", "created_at")
    view = RunView(**dict(zip(keys, row, strict=True)))
    skeys = tuple(StepView.model_fields)
    view.steps = [StepView(**dict(zip(skeys, s, strict=True))) for s in steps]
    if outcome is not None:
        view.outcome = {"decision": outcome[0], "reviewer": outcome[1], "launch": outcome[2], "next": outcome[3]}
    return view
