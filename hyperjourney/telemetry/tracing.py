"""OpenTelemetry traces with the GenAI semantic conventions: opt-in, configured only by the standard variables.

Nothing is exported unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or
``OTEL_TRACES_EXPORTER`` (``otlp`` or ``console``) says where, and ``OTEL_SDK_DISABLED`` is not ``true``; then
spans go through the SDK's batch processor to the OTLP exporter (``http/protobuf`` unless
``OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`` says ``grpc``), which reads its own headers, timeout and TLS variables.
A host that installed its own tracer provider gets our spans in its traces; we never install a global one, so a
host's tracing is neither replaced nor switched off. Unconfigured, the tracer is the API's no-op one.

Spans: ``invoke_workflow <flow>`` per run invocation (its trace id is derived from the run id, so a run resumed
later or in another process is the same trace), ``invoke_agent <node>`` per graph node, ``execute_tool <tool>``
per tool call and ``chat <model>`` per model call, each with the tenant and run id; model calls add the prompt's
name and content hash, the tier and the token usage.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, Tracer

from hyperjourney import __version__
from hyperjourney.telemetry import context

SCOPE = "hyperjourney"
_lock = threading.Lock()
_tracer: Tracer | None = None
_provider: Any = None  # our SDK TracerProvider when we built one (flushed by ``flush``)


def configured(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the standard variables ask for traces: an exporter or an OTLP endpoint, and the SDK not disabled."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def _host_provider() -> trace.TracerProvider | None:
    provider = trace.get_tracer_provider()
    return None if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider) else provider


def _build(env: Mapping[str, str]) -> Any:
    """An SDK provider exporting where the variables say (imported only when configured)."""
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    resource = Resource.create({"service.name": "hyperjourney", "service.version": __version__}).merge(
        OTELResourceDetector().detect()
    )
    provider = TracerProvider(resource=resource, shutdown_on_exit=True)
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "otlp").split(",") if n.strip()]
    for name in names:
        exporter: SpanExporter
        if name == "console":
            exporter = ConsoleSpanExporter()
        elif name == "otlp":
            protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
            if (protocol or "http/protobuf").strip().lower() == "grpc":
                from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

                exporter = GrpcExporter()
            else:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

                exporter = OTLPSpanExporter()
        else:
            raise ValueError(f"OTEL_TRACES_EXPORTER: unsupported exporter {name!r} (use otlp, console or none)")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def reload(env: Mapping[str, str] = os.environ) -> None:
    """Re-read the variables: the next span goes to the host's provider, a new one of ours, or nowhere.

    Called on first use; again by a host (or a test) that changes the variables after that."""
    global _tracer, _provider
    with _lock:
        if _provider is not None:
            _provider.shutdown()
        _provider = None
        host = _host_provider()
        if host is not None:
            _tracer = host.get_tracer(SCOPE, __version__)
        elif configured(env):
            _provider = _build(env)
            _tracer = _provider.get_tracer(SCOPE, __version__)
        else:
            _tracer = trace.NoOpTracer()


def tracer() -> Tracer:
    if _tracer is None:
        reload()
    assert _tracer is not None
    return _tracer


def flush(timeout_ms: int = 5000) -> bool:
    """Export what is buffered now (a process about to exit, a test reading its collector)."""
    return bool(_provider.force_flush(timeout_ms)) if _provider is not None else True


def _ids() -> dict[str, str]:
    ids = context.current()
    attributes = {f"hyperjourney.{name}": value for name, value in ids.items()}
    if "run_id" in ids:
        attributes["gen_ai.conversation.id"] = ids["run_id"]
    return attributes


@contextmanager
def span(name: str, attributes: Mapping[str, Any], *, kind: SpanKind = SpanKind.INTERNAL) -> Iterator[Span]:
    """A span under the current one, with the bound tenant, run and request ids; an exception marks it failed."""
    with tracer().start_as_current_span(name, kind=kind, attributes={**_ids(), **attributes}) as current:
        yield current


def _run_parent(run_id: str) -> SpanContext:
    digest = hashlib.sha256(run_id.encode()).digest()
    return SpanContext(
        trace_id=int.from_bytes(digest[:16], "big") or 1,
        span_id=int.from_bytes(digest[16:24], "big") or 1,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )


@contextmanager
def run_span(flow: str, tenant: str, run_id: str) -> Iterator[Span]:
    """One invocation of a run (a start, or a resume): ids bound for everything below, in the run's own trace; a
    span current here (a host's request span) is linked, not made the parent."""
    outer = trace.get_current_span().get_span_context()
    links = [Link(outer)] if outer.is_valid else []
    parent = trace.set_span_in_context(NonRecordingSpan(_run_parent(run_id)))
    attributes = {
        **{"gen_ai.operation.name": "invoke_workflow", "gen_ai.workflow.name": flow},
        **{"hyperjourney.tenant": tenant, "hyperjourney.run_id": run_id, "gen_ai.conversation.id": run_id},
    }
    with (
        context.bound(tenant=tenant, run_id=run_id, flow=flow),
        tracer().start_as_current_span(
            f"invoke_workflow {flow}", context=parent, links=links, attributes={**_ids(), **attributes}
        ) as current,
    ):
        yield current


def agent_span(node: str) -> Any:
    return span(f"invoke_agent {node}", {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": node})


def tool_span(tool: str) -> Any:
    return span(
        f"execute_tool {tool}",
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool, "gen_ai.tool.type": "function"},
    )


def chat_span(tier: str, model: str, prompt_name: str = "", prompt_sha256: str = "") -> Any:
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",  # every LLM tier speaks the OpenAI-compatible API
        "gen_ai.request.model": model,
        "hyperjourney.tier": tier,
    }
    if prompt_name:
        attributes |= {"hyperjourney.prompt.name": prompt_name, "hyperjourney.prompt.sha256": prompt_sha256}
    return span(f"chat {model}", attributes, kind=SpanKind.CLIENT)
