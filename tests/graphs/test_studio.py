"""langgraph.json points at factories that build the three graphs, and they run without our runs module."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from hyperjourney.db.database import Database
from hyperjourney.graphs.supervisor import build_nba_graph
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_exposes_every_graph_factory(db: Database) -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    assert set(spec["graphs"]) == {"canvas", "copilot", "nba"}
    for name, target in spec["graphs"].items():
        path, attr = target.split(":")
        module = importlib.import_module(path.removeprefix("./").removesuffix(".py").replace("/", "."))
        graph = getattr(module, attr)({})
        assert graph.name == name
        assert {"supervisor", "researcher", "analyst", "copywriter", "orchestrator", "tone", "approval"} <= set(
            graph.get_graph().nodes
        )


def test_a_graph_started_by_another_caller_records_its_own_run(db: Database, seeded: str, settings: Settings) -> None:
    graph = build_nba_graph(build_deps(db, settings, tiers=Tiers()), InMemorySaver())
    with db.tenant(seeded) as conn:
        row = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    request = {"customer_id": row[0], "event": None}
    out = graph.invoke(
        {"run_id": "run-external-1", "tenant": seeded, "flow": "nba", "request": request},
        {"configurable": {"thread_id": "run-external-1"}},
    )
    assert out["status"] == "completed"
    with db.tenant(seeded) as conn:
        status = conn.execute("SELECT status FROM agent_runs WHERE run_id = 'run-external-1'").fetchone()
    assert status == ("completed",)
