"""The next-best-action flow: one customer event → the Orchestrator ranks the candidate actions, each under
policy, and picks one → finish."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.runtime import Runtime
from langgraph.types import Command

from hyperjourney.agents import orchestrator
from hyperjourney.graphs.nodes import (
    FlowGraph,
    compile_flow,
    fence,
    fixed_route,
    hand_off,
    outputs_by_agent,
    run_agent,
)
from hyperjourney.graphs.outcomes import close_run
from hyperjourney.graphs.state import BaseState
from hyperjourney.graphs.wiring import Deps

PLAN = ["orchestrator"]


class NbaState(BaseState, total=False):
    nba: orchestrator.NbaResult


def supervisor(state: NbaState, runtime: Runtime[Deps]) -> Command[Literal["orchestrator", "finish"]]:
    deps = fence(runtime)
    update = fixed_route(deps, state, "nba") if not state.get("done") else {}
    return hand_off(PLAN, state, update, "finish")


def orchestrator_node(state: NbaState, runtime: Runtime[Deps]) -> Command[Literal["supervisor"]]:
    customer, event = str(state["request"]["customer_id"]), state["request"].get("event")
    return run_agent(runtime, state, "orchestrator", "nba",
                     lambda ctx: orchestrator.next_best_action(ctx, customer, event, ctx.now))  # fmt: skip


def finish(state: NbaState, runtime: Runtime[Deps]) -> dict[str, Any]:
    deps = fence(runtime)
    return close_run(deps, state, "completed", "completed", {"nba": results(dict(state)).get("orchestrator", {})})


def results(values: dict[str, Any]) -> dict[str, Any]:
    """The Orchestrator's choice in an nba run's state, as JSON (what the API and the UI show)."""
    return outputs_by_agent(values, (("orchestrator", "nba"),))


def build_nba_graph(checkpointer: BaseCheckpointSaver[Any] | None = None) -> FlowGraph:
    return compile_flow(
        NbaState, "nba", {"supervisor": supervisor, "orchestrator": orchestrator_node, "finish": finish}, checkpointer
    )
