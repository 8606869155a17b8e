"""Telemetry and hub downloads of every dependency are off unless the user opts in.

Imported first by the package, before any dependency reads its environment. Values the user set
win (``setdefault``); ``HYPERJOURNEY_TELEMETRY=1`` skips all of them.

No ``OTEL_*`` variable is set here: they are the process's, and a host that imports us keeps its own tracing.
OpenTelemetry exports nothing unless someone configures an exporter (telemetry/tracing.py reads the standard
variables), and the one dependency that would export to its vendor by itself, guardrails-ai's hub telemetry,
is switched off where it is imported (guardrails/runtime.py) and by ``GUARD_HISTORY_ENABLED`` below.
"""

from __future__ import annotations

import os

OFF_BY_DEFAULT = {
    "DO_NOT_TRACK": "1",
    "LANGCHAIN_CALLBACKS_BACKGROUND": "false",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "LITELLM_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # chainlit -> literalai -> traceloop-sdk instruments and exports traces unless these say no
    "TRACELOOP_TRACING_ENABLED": "false",
    "TRACELOOP_METRICS_ENABLED": "false",
    "TRACELOOP_LOGGING_ENABLED": "false",
    "TRACELOOP_TRACE_CONTENT": "false",
    "TRACELOOP_TELEMETRY": "false",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "GUARD_HISTORY_ENABLED": "false",
}
# guardrails-ai downloads nltk "punkt" at import unless it finds it; an empty stub satisfies the check.
NLTK_STUB = os.path.join(os.path.dirname(__file__), "guardrails", "nltk_stub")


# LangSmith reads the first of these that is set, so a default for one would override a user's opt-in through another.
TRACING_SWITCHES = ("LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING")


def apply() -> None:
    paths = os.environ.get("NLTK_DATA", "").split(os.pathsep)
    if NLTK_STUB not in paths:
        os.environ["NLTK_DATA"] = os.pathsep.join([p for p in paths if p] + [NLTK_STUB])
    if os.environ.get("HYPERJOURNEY_TELEMETRY", "").lower() in {"1", "true", "yes"}:
        return
    for key, value in OFF_BY_DEFAULT.items():
        os.environ.setdefault(key, value)
    if not any(key in os.environ for key in TRACING_SWITCHES):
        for key in TRACING_SWITCHES:
            os.environ[key] = "false"


apply()
