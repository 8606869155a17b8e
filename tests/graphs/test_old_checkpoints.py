"""A run paused by the graph as it was before the split (one graph for every flow, agent outputs in one shared
``results`` dict, other node names) ends failed with a clear reason when someone answers it; never a crash
mid-node, never a run left ``running`` or ``resuming``."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import pytest
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from psycopg.types.json import Jsonb

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.checkpoints import tenant_saver


def _merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    return {**(left or {}), **(right or {})}


class _OldState(TypedDict, total=False):
    run_id: str
    tenant: str
    flow: str
    request: dict[str, Any]
    plan: list[str]
    results: Annotated[dict[str, Any], _merge]


def _old_supervisor(state: _OldState) -> Command[Any]:
    return Command(goto="approve_journey", update={"plan": ["researcher"], "results": {"researcher": {"x": 1}}})


def _old_approval(state: _OldState) -> dict[str, Any]:
    interrupt({"question": "Approve this journey for launch?"})
    return {}


def _paused_on_the_old_graph(db: Database, tenant: str, run_id: str) -> None:
    graph = StateGraph(_OldState)
    graph.add_node("supervisor", _old_supervisor)
    graph.add_node("approve_journey", _old_approval)
    graph.add_edge(START, "supervisor")
    start = {"run_id": run_id, "tenant": tenant, "flow": "canvas", "request": {"goal": "old goal"}}
    with tenant_saver(db, tenant) as saver:
        graph.compile(checkpointer=saver).invoke(start, {"configurable": {"thread_id": run_id}})
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO agent_runs (run_id, flow, request, status) VALUES (%s, 'canvas', %s, 'awaiting_approval')",
            (run_id, Jsonb({"goal": "old goal"})),
        )


def test_a_run_paused_on_the_old_graph_ends_failed_with_the_reason(db: Database, tenant: str) -> None:
    _paused_on_the_old_graph(db, tenant, "run-oldgraph00001")
    with pytest.raises(runs.RunStateError) as refused:
        runs.resume(db, tenant, "run-oldgraph00001", {"action": "approve", "reviewer": "ana"})
    reason = str(refused.value)
    assert "earlier version of the canvas graph" in reason and "approve_journey" in reason
    view = runs.show_run(db, tenant, "run-oldgraph00001")
    assert view.status == "failed" and view.summary["error"] == reason
    with db.tenant(tenant) as conn:
        audited = conn.execute(
            "SELECT payload->>'reason' FROM audit_log WHERE entity = 'run-oldgraph00001' AND action = 'run_unresumable'"
        ).fetchall()
    assert audited == [(reason,)]
    with pytest.raises(runs.RunStateError, match="failed"):  # a second answer is refused, not retried
        runs.resume(db, tenant, "run-oldgraph00001", {"action": "approve", "reviewer": "ana"})
