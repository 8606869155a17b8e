"""Graph factories named in langgraph.json, so the graphs also load in LangGraph's own server and studio.

That server brings its own persistence, so these compile without our checkpointer; its runs take the
graph input ``{"run_id", "tenant", "flow", "request"}`` and still read and write through the tenant's RLS.
The supported surface is `hyperjourney serve`, whose runs add API keys, audit and resumable approvals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hyperjourney.graphs.supervisor import build_canvas_graph, build_copilot_graph, build_nba_graph
from hyperjourney.graphs.wiring import Deps, build_deps

from hyperjourney.db.database import Database
from hyperjourney.settings import get_settings


@lru_cache(maxsize=1)
def _deps() -> Deps:
    settings = get_settings()
    return build_deps(Database.from_settings(settings), settings)


def canvas(config: Any = None) -> Any:
    return build_canvas_graph(_deps())


def copilot(config: Any = None) -> Any:
    return build_copilot_graph(_deps())


def nba(config: Any = None) -> Any:
    return build_nba_graph(_deps())
