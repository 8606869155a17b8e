"""Traces: a canvas run is one trace with a span per node, tool and model call (GenAI conventions) at a local
OTLP collector; without configuration nothing is exported; importing the package leaves a host's tracing on."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import openai
import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.settings import Settings
from hyperjourney.telemetry import tracing
from tests.agentkit import RecordingLauncher, fixed_clock, scripted_tiers
from tests.telemetry.collector import otlp_collector

OTEL = ("OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")  # fmt: skip


@pytest.fixture
def clean_otel(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in OTEL:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    monkeypatch.undo()
    tracing.reload()  # back to what the session's environment says (nothing: the no-op tracer)


def _rate_limited() -> openai.RateLimitError:
    request = httpx.Request("POST", "http://llm.test/v1/chat/completions")
    return openai.RateLimitError("slow down", response=httpx.Response(429, headers={"retry-after": "0.01"},
                                                                      request=request), body=None)  # fmt: skip


def test_a_canvas_run_is_one_trace_with_a_span_per_node_tool_and_model_call(
    db: Database, seeded: str, settings: Settings, clean_otel: pytest.MonkeyPatch
) -> None:
    segment = {"industry": None, "company_size": None, "metric": "retention", "target_lift": 0.05, "confidence": 0.8}
    tiers, models = scripted_tiers(small=[_rate_limited(), {"kind": "insight", "confidence": 0.9}, segment])
    deps = build_deps(db, settings, tiers=tiers, clock=fixed_clock(), launcher=RecordingLauncher())
    with otlp_collector() as (endpoint, got):
        clean_otel.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)
        tracing.reload()
        result = runs.start_canvas(db, seeded, "banana", deps=deps)
        assert tracing.flush()
    models["llm-small"].assert_done()
    assert result.status == "completed"
    names = [name for name, _, _ in got.spans]
    assert len({trace for _, trace, _ in got.spans}) == 1, "every span of the run is in one trace"
    assert names.count("invoke_workflow canvas") == 1
    steps = runs.show_run(db, seeded, result.run_id).steps
    nodes = {n.removeprefix("invoke_agent ") for n in names if n.startswith("invoke_agent ")}
    assert {s.node for s in steps} | {"finish"} <= nodes
    assert any(n.startswith("execute_tool ") for n in names)
    chats = [a for n, _, a in got.spans if n == "chat llm-small-scripted"]
    assert len(chats) == 2  # the 429 was retried inside the first call's span, not a third call
    first = chats[0]
    assert first["gen_ai.operation.name"] == "chat" and first["gen_ai.request.model"] == "llm-small-scripted"
    assert first["gen_ai.usage.input_tokens"] > 0 and len(first["hyperjourney.prompt.sha256"]) == 64
    assert {a["hyperjourney.tenant"] for _, _, a in got.spans} == {seeded}
    assert {a["gen_ai.conversation.id"] for _, _, a in got.spans} == {result.run_id}
    retry = steps[0].tier_events  # the retry is on the run's record too, typed
    assert steps[0].tier == "llm-small" and [e.kind for e in retry] == ["retry"] and "RateLimitError" in retry[0].detail


def test_without_configuration_nothing_is_exported(clean_otel: pytest.MonkeyPatch) -> None:
    with otlp_collector() as (_, got):
        tracing.reload()
        with tracing.run_span("canvas", "t", "run-1"), tracing.tool_span("search_knowledge"):
            pass
        assert tracing.flush()
    assert (got.requests, got.spans) == (0, [])
    assert not tracing.configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x", "OTEL_SDK_DISABLED": "true"})
    assert not tracing.configured({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"})
    assert tracing.configured({"OTEL_TRACES_EXPORTER": "console"})


def test_importing_the_package_leaves_a_hosts_tracing_on() -> None:
    """It once set OTEL_SDK_DISABLED=true for the whole process: a host's own spans were dropped."""
    host = (
        "import os\n"
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
        "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
        "import hyperjourney\n"
        "from hyperjourney.telemetry import tracing\n"
        "exporter = InMemorySpanExporter()\n"
        "provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(exporter))\n"
        "trace.set_tracer_provider(provider)\n"
        "with trace.get_tracer('host').start_as_current_span('host request'):\n"
        "    with tracing.tool_span('search_knowledge'):\n"
        "        pass\n"
        "print(os.environ.get('OTEL_SDK_DISABLED'), sorted(s.name for s in exporter.get_finished_spans()))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run([sys.executable, "-c", host], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "None ['execute_tool search_knowledge', 'host request']"
