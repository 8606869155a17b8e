"""Structured logs: one JSON object per line with the request, tenant and run ids bound at the time.

Messages pass through the caller's redaction (the surface that configures logging hands in the guardrails'
PII redaction; this layer cannot import it), so a log line never carries the e-mail or phone number a message
was formatted with. ``HYPERJOURNEY_LOG_FORMAT=text`` keeps the plain format for a person at a terminal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from opentelemetry import trace

from hyperjourney.telemetry import context

Redact = Callable[[str], str]


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redact) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": self.redact(record.getMessage()),
            **context.current(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:  # a log line and its trace are found from each other
            line |= {"trace_id": f"{span.trace_id:032x}", "span_id": f"{span.span_id:016x}"}
        if record.exc_info:
            line["exc"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(redact: Redact, *, fmt: str = "json", level: str = "INFO") -> None:
    """Route the root logger (ours, uvicorn's, the workers') to stderr in ``fmt`` ("json" or "text")."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter(redact))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
