"""langgraph.json names graph factories that load and compile, as LangGraph's server would load them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from hyperjourney.db.database import Database

pytest.importorskip("hyperjourney.graphs.supervisor")
ROOT = Path(__file__).resolve().parents[2]


def test_every_graph_in_langgraph_json_loads(db: Database) -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert set(spec["graphs"]) == {"canvas", "copilot", "nba"}
    for name, target in spec["graphs"].items():
        path, attr = target.split(":")
        module_spec = importlib.util.spec_from_file_location(f"lg_{name}", ROOT / path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        graph = getattr(module, attr)({})
        nodes = set(graph.get_graph().nodes)
        assert {"supervisor", "finish"} <= nodes, name
        assert graph.name == name
