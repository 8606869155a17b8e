"""`eval run --tier` decides which LLM tiers the graphs may call, and each run records its tier and those models.

The graphs talk to an OpenAI-compatible stub over real HTTP (tests/openai_stub.py): on the small tier it must never
be called; on llm-small only the llm-small model is; on llm-large both may be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals import runner
from hyperjourney.evals.compare import compare
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.results import SuiteResult, Tier
from hyperjourney.evals.suite import Advance, EvalEnv
from hyperjourney.graphs import runs
from hyperjourney.settings import LLMTier, Settings
from tests.openai_stub import _Server, openai_stub


@dataclass
class CanvasProbe:
    """One canvas run on a goal the small-tier router is unsure about, so it escalates when a tier allows it."""

    dataset: Path
    name: str = "tierprobe"
    description: str = "test suite"

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def size(self) -> int:
        return 1

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        result = runs.start_canvas(env.db, env.tenant, "banana", deps=eval_deps(env))
        advance(1)
        return SuiteResult(suite=self.name, metrics={"tokens": float(result.summary.tokens)})


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub() as server:
        yield server


def _configured(settings: Settings, server: _Server) -> Settings:
    host, port = server.server_address[:2]
    url = f"http://{host!s}:{port}/v1"
    return settings.model_copy(
        update={
            "llm_small": LLMTier(base_url=url, model="stub-small"),
            "llm_large": LLMTier(base_url=url, model="stub-large"),
        }
    )


def test_the_tier_limits_the_models_and_is_recorded(
    db: Database, settings: Settings, steady_tenant: str, stub: _Server, tmp_path: Path
) -> None:
    data = tmp_path / "probe.yaml"
    data.write_text("items: [banana]\n")
    suite = CanvasProbe(dataset=data)
    configured = _configured(settings, stub)
    recorded = {}
    called: dict[Tier, set[str]] = {}
    for tier in ("small", "llm-small", "llm-large"):
        env = EvalEnv(db=db, tenant=steady_tenant, tier=tier, settings=configured)
        assert set(eval_deps(env).tiers.configured) == {"small": set(), "llm-small": {"llm-small"}}.get(
            tier, {"llm-small", "llm-large"}
        )
        before = len(stub.requests)
        recorded[tier] = runner.run_suite(env, suite)
        called[tier] = {r["body"]["model"] for r in stub.requests[before:]}
    assert called["small"] == set() and recorded["small"].metrics["tokens"] == 0
    assert called["llm-small"] == {"stub-small"} and recorded["llm-small"].metrics["tokens"] > 0
    assert called["llm-large"] <= {"stub-small", "stub-large"} and called["llm-large"]
    assert recorded["small"].context.models == {"llm-small": None, "llm-large": None}
    assert recorded["llm-small"].context.models == {"llm-small": "stub-small", "llm-large": None}
    assert recorded["llm-large"].context.models == {"llm-small": "stub-small", "llm-large": "stub-large"}
    assert [recorded[t].tier for t in ("small", "llm-small", "llm-large")] == ["small", "llm-small", "llm-large"]
    changes = {c.key: (c.a, c.b) for c in compare(recorded["small"], recorded["llm-small"]).changes}
    assert changes["tier"] == ("small", "llm-small")
    assert changes["models.llm-small"] == (None, "stub-small")
