"""Graph factories for LangGraph's own dev server and Studio (see langgraph.json at the repository root).

The server brings its own checkpointer, so these build the graphs without one, with dependencies
from the environment's settings.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from langgraph.graph.state import CompiledStateGraph

from hyperjourney.db.database import Database
from hyperjourney.graphs.supervisor import build_canvas_graph, build_copilot_graph, build_nba_graph
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.settings import get_settings


@cache
def _deps() -> Deps:
    settings = get_settings()
    return build_deps(Database.from_settings(settings), settings)


def canvas(config: Any = None) -> CompiledStateGraph[Any]:
    return build_canvas_graph(_deps(), None)


def copilot(config: Any = None) -> CompiledStateGraph[Any]:
    return build_copilot_graph(_deps(), None)


def nba(config: Any = None) -> CompiledStateGraph[Any]:
    return build_nba_graph(_deps(), None)
