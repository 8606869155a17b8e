"""langgraph.json points at factories that build the three graphs without touching the database, and the graphs
run without our runs module."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import SERDE
from hyperjourney.graphs.nba import build_nba_graph
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


NODES = {
    "canvas": {"supervisor", "researcher", "analyst", "copywriter", "orchestrator", "escalate", "approval", "launch"},
    "copilot": {"supervisor", "tone", "researcher", "copywriter", "finish"},
    "nba": {"supervisor", "orchestrator", "finish"},
}


def test_langgraph_json_exposes_every_graph_factory_without_opening_a_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_database(*args: object, **kwargs: object) -> None:
        raise AssertionError("a graph factory opened the database (it blocks the server's event loop)")

    monkeypatch.setattr(Database, "from_settings", no_database)
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert set(spec["graphs"]) == set(NODES)
    for name, target in spec["graphs"].items():
        path, attr = target.split(":")
        module = importlib.import_module(path.removeprefix("./").removesuffix(".py").replace("/", "."))
        graph = getattr(module, attr)({})
        assert graph.name == name
        assert NODES[name] <= set(graph.get_graph().nodes)


def test_a_graph_started_by_another_caller_records_its_own_run(db: Database, seeded: str, settings: Settings) -> None:
    graph = build_nba_graph(InMemorySaver(serde=SERDE))
    with db.tenant(seeded) as conn:
        row = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    request = {"customer_id": row[0], "event": None}
    out = graph.invoke(
        {"run_id": "run-external-1", "tenant": seeded, "flow": "nba", "request": request},
        {"configurable": {"thread_id": "run-external-1"}},
        context=build_deps(db, settings, tiers=Tiers()),
    )
    assert out["status"] == "completed"
    with db.tenant(seeded) as conn:
        status = conn.execute("SELECT status FROM agent_runs WHERE run_id = 'run-external-1'").fetchone()
    assert status == ("completed",)
