"""What the three flow graphs share: the run's context from LangGraph's ``Runtime``, the lease fence, recording an
agent's steps, turning unsure decisions into escalations, the approval answer, and the supervisor's hand-offs.

Each flow (``canvas``, ``copilot``, ``nba``) is its own module with its own state and top-level node functions;
the dependencies (database, model tiers, clock, launcher, lease) reach a node as ``runtime.context`` (a ``Deps``),
never through a closure, so one compiled graph serves every run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache, wraps
from typing import Any, Literal, get_args

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel

from hyperjourney.agents import copywriter
from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.graphs.state import BaseState, RunInput, RunOutput
from hyperjourney.graphs.wiring import Deps, Spent, build_deps
from hyperjourney.review.queue import Escalation, Stage
from hyperjourney.telemetry import tracing

FlowGraph = CompiledStateGraph[Any, Deps, Any, Any]  # a compiled flow: any state, our Deps as its context


class ApprovalDecision(BaseModel):
    """What a person answers at the approval interrupt."""

    action: Literal["approve", "reject", "edit"]
    reviewer: str = "cli"
    comment: str = ""
    variants: list[copywriter.Variant] | None = None


@cache
def _server_deps() -> Deps:
    """Dependencies from the environment's settings, for runs LangGraph's own server starts (they carry no
    ``Deps``): built on the first node that needs them, never when the graph is imported or compiled."""
    from hyperjourney.db.database import Database
    from hyperjourney.settings import get_settings

    settings = get_settings()
    return build_deps(Database.from_settings(settings), settings)


def deps_of(runtime: Runtime[Deps]) -> Deps:
    """The run's dependencies, bound to this node's stream writer (its recorded steps go out on the stream) and
    its task id (a replay of the node re-runs the same task, so its audit entries are written once)."""
    context = runtime.context if isinstance(runtime.context, Deps) else _server_deps()
    task = runtime.execution_info.task_id if runtime.execution_info is not None else None
    return replace(context, writer=runtime.stream_writer, task=task)


def fence(runtime: Runtime[Deps]) -> Deps:
    """The node's dependencies, after checking its run's lease: a process that lost the run stops here, before
    the node's side effects."""
    deps = deps_of(runtime)
    if deps.lease is not None:
        deps.lease.verify()
    return deps


def agent_context(deps: Deps, state: BaseState, channel: str | None = None) -> AgentContext:
    """An agent's tools and router for this node, its budget starting from what the run has spent so far (and,
    for a reply, the latency budget of the ``channel`` it goes out on)."""
    return deps.context(state["tenant"], state["run_id"], state["flow"], state.get("budget"), channel=channel)


def record(deps: Deps, state: BaseState, node: str, result: AgentResult) -> None:
    for step in result.steps:
        deps.recorder.step(state["tenant"], state["run_id"], node=node, agent=node, step=step)


_STAGES: dict[str, Stage] = {s: s for s in get_args(Stage)}


def escalations_of(steps: list[Step]) -> list[Escalation]:
    """Each step no tier could decide with confidence, as the review queue's Escalation (stage, reasons)."""
    return [
        Escalation(
            stage=_STAGES.get(s.decision.split(":")[0], "route"), reasons=[s.routed.review_reason or s.routed.reason]
        )
        for s in steps
        if s.routed.needs_review
    ]


def agent_update(node: str, result: AgentResult, ctx: AgentContext) -> dict[str, Any]:
    """The state update every agent node makes besides its own output."""
    return {
        "budget": Spent.of(ctx.router.ledger),
        "done": [node],
        "evidence": result.evidence_ids,
        "review": result.review,
        "escalations": escalations_of(result.steps),
    }


def agent_work(
    runtime: Runtime[Deps],
    state: BaseState,
    node: str,
    key: str,
    work: Callable[[AgentContext], AgentResult],
    channel: str | None = None,
) -> dict[str, Any]:
    """An agent node's body: past the lease fence, the agent works with this run's context, its steps are
    recorded; returns the state update with its output under ``key``."""
    deps = fence(runtime)
    ctx = agent_context(deps, state, channel)
    result = work(ctx)
    record(deps, state, node, result)
    return {**agent_update(node, result, ctx), key: result.output}


def run_agent(
    runtime: Runtime[Deps],
    state: BaseState,
    node: str,
    key: str,
    work: Callable[[AgentContext], AgentResult],
    channel: str | None = None,
) -> Command[Literal["supervisor"]]:
    """An agent node that hands back to the supervisor, which picks the next hop."""
    return Command(goto="supervisor", update=agent_work(runtime, state, node, key, work, channel))


def outputs_by_agent(values: dict[str, Any], named: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Each agent's output in a run's state as JSON, by agent name (``named``: agent, state key) — what the
    API and the UI show."""
    return {
        name: v.model_dump(mode="json") if isinstance(v := values[key], BaseModel) else v
        for name, key in named
        if values.get(key) is not None
    }


def fixed_route(deps: Deps, state: BaseState, kind: str) -> dict[str, Any]:
    """A flow whose plan is fixed records its route decision (a tool step, no model) on its first hop."""
    deps.recorder.ensure_run(state["tenant"], state["run_id"], state["flow"], state["request"])
    ctx = agent_context(deps, state)
    routed = ctx.router.tool_step("route", _FixedPlan(kind=kind), f"fixed {kind} plan")
    routed.value = None
    step = Step("route", routed, [], {"flow": state["flow"], "request": state["request"]})
    deps.recorder.step(state["tenant"], state["run_id"], node="supervisor", agent="supervisor", step=step)
    return {"budget": Spent.of(ctx.router.ledger)}


class _FixedPlan(BaseModel):
    kind: str


def compile_flow(
    state: type[Any], name: str, nodes: dict[str, Callable[..., Any]], checkpointer: BaseCheckpointSaver[Any] | None
) -> FlowGraph:
    """A flow's graph: its nodes (hops are the nodes' ``Command``s), entered at ``supervisor``, left at ``finish``,
    with ``Deps`` as LangGraph's context."""
    graph = StateGraph(state, context_schema=Deps, input_schema=RunInput, output_schema=RunOutput)
    for node, action in nodes.items():
        graph.add_node(node, traced(node, action))
    graph.add_edge(START, "supervisor")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer, name=name)


def traced(node: str, action: Callable[..., Any]) -> Callable[..., Any]:
    """The node as one ``invoke_agent <node>`` span. ``wraps`` keeps its signature and return hints: LangGraph
    reads them for the ``runtime`` argument and the ``Command`` destinations."""

    @wraps(action)
    def run(*args: Any, **kwargs: Any) -> Any:
        with tracing.agent_span(node):
            return action(*args, **kwargs)

    return run


def hand_off(plan: list[str], state: BaseState, update: dict[str, Any], end: str) -> Command[Any]:
    """The supervisor's hop: the first agent of the plan not done yet, else ``end``."""
    following = next((a for a in plan if a not in state.get("done", [])), None)
    return Command(goto=following or end, update=update)
