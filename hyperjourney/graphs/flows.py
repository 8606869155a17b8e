"""The three flows by name: their compiled graphs (one module each) and their agents' outputs as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from hyperjourney.graphs import canvas, copilot, nba
from hyperjourney.graphs.nodes import FlowGraph
from hyperjourney.graphs.state import Flow

_BUILD: dict[str, Callable[[BaseCheckpointSaver[Any] | None], FlowGraph]] = {
    "canvas": canvas.build_canvas_graph,
    "copilot": copilot.build_copilot_graph,
    "nba": nba.build_nba_graph,
}
_RESULTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "canvas": canvas.results,
    "copilot": copilot.results,
    "nba": nba.results,
}


def build_graph(flow: Flow | str, checkpointer: BaseCheckpointSaver[Any] | None = None) -> FlowGraph:
    return _BUILD[flow](checkpointer)


def results_of(flow: Flow | str, values: dict[str, Any]) -> dict[str, Any]:
    """Each agent's output in a run's state, as JSON by agent name."""
    return _RESULTS[flow](values)
