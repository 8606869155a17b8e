"""Start, resume, list and show runs: what the CLI (and later the API and UI) call.

A run's thread id is its run id; its checkpoints live in the tenant's Postgres, so any process can
resume it. Starting and resuming both hold a lease (graphs/leases.py): two live processes answering the
same approval cannot both resume it; a process that dies mid-resume leaves a lease that expires, after which
the next decision takes the run over (the latest decision wins while nothing is launched); a starter that
dies leaves a run that is marked failed with the reason once its lease expires.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from langgraph.types import Command
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from hyperjourney.agents.campaign_copy import CampaignBrief
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.flows import build_graph
from hyperjourney.graphs.leases import Lease, claim, new_holder, reap_abandoned, release
from hyperjourney.graphs.leases import LeaseLost as LeaseLost  # re-exported: callers catch them from runs
from hyperjourney.graphs.leases import RunStateError as RunStateError
from hyperjourney.graphs.nodes import ApprovalDecision
from hyperjourney.graphs.outcomes import run_totals
from hyperjourney.graphs.run_events import RunEvent, publish, streamed
from hyperjourney.graphs.state import Flow
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.models.accounting import RunTotals
from hyperjourney.models.resilience import TierEvent
from hyperjourney.review import queue
from hyperjourney.review.escalations import pending_for_run
from hyperjourney.settings import get_settings
from hyperjourney.telemetry import tracing


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
    tier_events: list[TierEvent] = Field(default_factory=list, description="retries, failovers, degradations")


class RunHeader(BaseModel):
    """What every view of a run starts with (the CLI's, the API's)."""

    run_id: str
    flow: str
    status: str
    request: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime
    outcome: dict[str, Any] | None = None


class RunView(RunHeader):
    steps: list[StepView] = Field(default_factory=list)


def _deps(db: Database, deps: Deps | None) -> Deps:
    return deps or build_deps(db, get_settings())


def _invoke(
    deps: Deps, tenant: str, run_id: str, flow: Flow, payload: Any, lease: Lease, config: dict[str, Any] | None = None
) -> RunResult:
    config = config or {"configurable": {"thread_id": run_id}}
    with tracing.run_span(flow, tenant, run_id), tenant_saver(deps.db, tenant) as saver:
        graph = build_graph(flow, saver)
        context = replace(deps, lease=lease)
        try:  # each step a node records goes out on the stream and from there to every follower (run_events)
            streamed(deps.db, tenant, run_id, graph.stream(payload, cast(Any, config), context=context,
                                                           stream_mode="custom", version="v2"))  # fmt: skip
        except LeaseLost:
            raise  # the run belongs to another process now: it records the outcome, not this one
        except Exception as exc:
            _set_status(deps.db, tenant, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"[:1000]}, lease)
            raise
        finally:
            publish(deps.db, RunEvent(tenant=tenant, run_id=run_id, kind="end"))
        snapshot = graph.get_state({"configurable": {"thread_id": run_id}})
    out = snapshot.values
    interrupts = [i for task in snapshot.tasks for i in task.interrupts]
    pending = [i.value for i in interrupts]
    if pending:  # which question it waits on: a takeover answers only that one with a decision given for it
        _set_status(deps.db, tenant, run_id, "awaiting_approval", {"awaiting": interrupts[0].id}, lease)
        publish(deps.db, RunEvent(tenant=tenant, run_id=run_id, kind="end"))
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


def _set_status(
    db: Database, tenant: str, run_id: str, status: str, summary: dict[str, Any] | None, lease: Lease
) -> None:
    """Only while this process holds the run: one that lost its lease writes nothing."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "UPDATE agent_runs SET status = %s, summary = summary || coalesce(%s, '{}'::jsonb), "
            "lease_expires_at = NULL, updated_at = now() WHERE run_id = %s AND resumed_by = %s RETURNING 1",
            (status, Jsonb(summary) if summary is not None else None, run_id, lease.holder),
        ).fetchone()
    if row is None:
        lease.lost = True
        lease.check()


def _start(db: Database, tenant: str, flow: Flow, request: dict[str, Any], deps: Deps | None) -> RunResult:
    """The run row, its lease and its audit entry commit together before the first step: a starter that dies
    leaves a lease that expires (then the run is marked failed with the reason), never a run stuck running."""
    deps = _deps(db, deps)
    run_id = f"run-{uuid.uuid4().hex[:16]}"
    holder, lease_s = new_holder(), deps.settings.graphs.resume_lease_s
    payload = deps.recorder.redacted({"flow": flow, **request}, tenant)  # first: the key may need a connection
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO agent_runs (run_id, flow, request, status, resumed_by, lease_expires_at) "
            "VALUES (%s, %s, %s, 'running', %s, now() + make_interval(secs => %s))",
            (run_id, flow, Jsonb(request), holder, lease_s),
        )
        audit.append(conn, actor="agents", action="run_started", entity=run_id, payload=payload)
    with Lease(db, tenant, run_id, holder, lease_s) as lease:
        start = {"run_id": run_id, "tenant": tenant, "flow": flow, "request": request}
        return _invoke(deps, tenant, run_id, flow, start, lease)


def start_canvas(
    db: Database, tenant: str, goal: str, *, campaign: CampaignBrief | None = None, deps: Deps | None = None
) -> RunResult:
    """A canvas run for ``goal``; ``campaign`` (offer, audience, channel, tone, language) reaches the Copywriter."""
    if not goal.strip():
        raise ValueError("goal: must not be empty")
    request: dict[str, Any] = {"goal": goal.strip()}
    if campaign is not None:
        request["campaign"] = campaign.model_dump(mode="json", exclude_none=True)
    return _start(db, tenant, "canvas", request, deps)


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


def _takeover_input(
    deps: Deps, tenant: str, run_id: str, flow: Flow, answer: dict[str, Any], awaiting: str | None
) -> tuple[Any, Any]:
    """After a takeover: the decision given now is the one the run completes (the latest decision wins).

    If the crashed process never got past the interrupt, the new decision answers it. If it had recorded the
    same decision, the run carries on from its last checkpoint. If it had recorded a different one and
    nothing was launched yet, the interrupt is answered again from the checkpoint where it waited; once a
    journey is live a contradicting decision is refused with what to do instead."""
    config: Any = {"configurable": {"thread_id": run_id}}
    with tenant_saver(deps.db, tenant) as saver:
        graph = build_graph(flow, saver)
        snapshot = graph.get_state(config)
        waiting = [i.id for task in snapshot.tasks for i in task.interrupts]
        if waiting and waiting[0] == awaiting:
            return Command(resume=answer), config
        if waiting:  # the crashed process got as far as a new question nobody has seen: ask it, answer nothing
            return None, config  # (the waiting node runs again up to its interrupt)
        recorded: dict[str, Any] = snapshot.values.get("decision") or {}
        if _same_decision(recorded, answer):
            return None, config
        launched = _launched(deps.db, tenant, run_id)
        if launched is not None:
            raise RunStateError(
                f"run {run_id} already launched journey {launched} on the {recorded.get('action')} by "
                f"{recorded.get('reviewer')}; a {answer['action']} cannot undo it: pause the journey instead "
                f"(`hyperjourney journeys pause {launched}`), or repeat the {recorded.get('action')} to finish the run"
            )
        waited = next((past for past in graph.get_state_history(config) if any(t.interrupts for t in past.tasks)), None)
        if waited is None:
            raise RunStateError(f"run {run_id} has no approval checkpoint to answer again")
        # a copy of that checkpoint without the old answer (its stored writes would replay the old decision)
        fork = graph.update_state(waited.config, None, as_node="__copy__")
    deps.recorder.event(
        tenant, run_id, actor=f"human:{answer.get('reviewer', '')}", action="approval:superseded",
        payload={"superseded": recorded, "by": answer},
    )  # fmt: skip
    return Command(resume=answer), fork


def _same_decision(recorded: dict[str, Any], answer: dict[str, Any]) -> bool:
    if recorded.get("action") != answer.get("action"):
        return False
    return answer.get("action") != "edit" or recorded.get("variants") == answer.get("variants")


def _launched(db: Database, tenant: str, run_id: str) -> str | None:
    """The journey this run launched, if any (an outcome row, or a launch committed before the crash)."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT launch->>'journey_id' FROM agent_outcomes WHERE run_id = %s AND (launch->>'launched')::boolean "
            "UNION ALL SELECT substr(entity, 9) FROM audit_log WHERE action = 'journey_launched' "
            "AND payload->>'plan' = %s LIMIT 1",
            (run_id, run_id),
        ).fetchone()
    return None if row is None else str(row[0])


OLD_CHANNELS = frozenset({"results"})  # the one shared dict the graph kept agent outputs in before the split


def _unresumable(deps: Deps, tenant: str, run_id: str, flow: Flow) -> str | None:
    """Why this run's checkpoint cannot be continued by today's graph (None: it can).

    A run paused before the graph split (one graph for every flow, agent outputs in ``results``) or on a node
    this flow no longer has would fail mid-node on the current graph; it is ended instead, with this reason."""
    with tenant_saver(deps.db, tenant) as saver:
        found = saver.get_tuple({"configurable": {"thread_id": run_id}})
        nodes = set(build_graph(flow, saver).nodes)
    if found is None:
        return f"run {run_id} has no checkpoint to continue from"
    channels = set(found.checkpoint["channel_values"]) | set(found.checkpoint["channel_versions"])
    gone = sorted(c.removeprefix("branch:to:") for c in channels if c.startswith("branch:to:")
                  and c.removeprefix("branch:to:") not in nodes)  # fmt: skip
    if channels & OLD_CHANNELS or gone:
        where = f" (it waits on {', '.join(gone)}, which the {flow} graph no longer has)" if gone else ""
        return (
            f"run {run_id} was paused by an earlier version of the {flow} graph{where}; its checkpoint cannot "
            f"be continued, so the run is ended as failed and nothing was launched: start the {flow} again"
        )
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
    holder = holder or new_holder()
    flow_name, previous, awaiting = claim(db, tenant, run_id, holder, lease_s)
    flow = cast(Flow, flow_name)
    payload = answer.model_dump(mode="json")
    with Lease(db, tenant, run_id, holder, lease_s) as lease:
        if (reason := _unresumable(deps, tenant, run_id, flow)) is not None:
            _set_status(db, tenant, run_id, "failed", {"error": reason}, lease)
            deps.recorder.event(tenant, run_id, actor="agents", action="run_unresumable", payload={"reason": reason})
            publish(db, RunEvent(tenant=tenant, run_id=run_id, kind="end"))
            raise RunStateError(reason)
        command: Any
        if previous is None:
            command, config = Command(resume=payload), {"configurable": {"thread_id": run_id}}
        else:
            try:
                command, config = _takeover_input(deps, tenant, run_id, flow, payload, awaiting)
            except RunStateError:
                release(db, tenant, run_id, holder)
                raise
        return _invoke(deps, tenant, run_id, flow, command, lease, config)


def decide_item(
    db: Database, tenant: str, item_id: str, decision: ApprovalDecision, *, deps: Deps | None = None
) -> RunResult | None:
    """Decide a review item from the queue's surfaces: an escalation decides its run (approve continues it,
    reject ends it) and returns the run's result; any other item is decided in the queue (returns None)."""
    run_id = pending_for_run(db, tenant, item_id)
    if run_id is not None:
        return resume(db, tenant, run_id, decision, deps=deps)
    if decision.action == "approve":
        queue.approve(db, tenant, item_id, decision.reviewer, note=decision.comment or None)
    elif decision.action == "reject":
        queue.reject(db, tenant, item_id, decision.reviewer, reason=decision.comment)
    else:
        raise RunStateError("edit a queue item with `hyperjourney review edit`")
    return None


def list_runs(db: Database, tenant: str, *, limit: int = 20) -> list[RunView]:
    with db.tenant(tenant) as conn:
        reap_abandoned(conn)
        rows = conn.execute(
            "SELECT run_id, flow, status, request, summary, created_at FROM agent_runs "
            "ORDER BY created_at DESC LIMIT %s",
            (limit,),
        ).fetchall()
    keys = ("run_id", "flow", "status", "request", "summary", "created_at")
    return [RunView(**dict(zip(keys, r, strict=True))) for r in rows]


def show_run(db: Database, tenant: str, run_id: str) -> RunView:
    with db.tenant(tenant) as conn:
        reap_abandoned(conn)
        row = conn.execute(
            "SELECT run_id, flow, status, request, summary, created_at FROM agent_runs WHERE run_id = %s", (run_id,)
        ).fetchone()
        if row is None:
            raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
        steps = conn.execute(
            "SELECT step_no, node, decision, tier, model, prompt_name || coalesce('@' || left(nullif(prompt_hash, ''),"
            " 12), ''), confidence, reason, escalations, input_tokens + output_tokens, cost_usd, latency_ms, "
            "evidence_ids, review_reason, created_at, tier_events FROM agent_steps WHERE run_id = %s ORDER BY step_no",
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
