"""Graph factories for LangGraph's own dev server and Studio (see langgraph.json at the repository root).

The server brings its own checkpointer and runs, so these only compile the graphs: nothing here opens the
database or starts the embedded Postgres (that would block the server's event loop). A run the server starts
carries no ``Deps``; its first node builds them from the environment's settings (graphs/nodes.py), in the
worker thread that runs the node.
"""

from __future__ import annotations

from typing import Any

from hyperjourney.graphs.canvas import build_canvas_graph
from hyperjourney.graphs.copilot import build_copilot_graph
from hyperjourney.graphs.nba import build_nba_graph
from hyperjourney.graphs.nodes import FlowGraph


def canvas(config: Any = None) -> FlowGraph:
    return build_canvas_graph()


def copilot(config: Any = None) -> FlowGraph:
    return build_copilot_graph()


def nba(config: Any = None) -> FlowGraph:
    return build_nba_graph()
