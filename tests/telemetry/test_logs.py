"""Structured logs: one JSON object a line, with the ids bound at the time, personal data redacted."""

from __future__ import annotations

import io
import json
import logging

from hyperjourney.guardrails.redaction import log_safe
from hyperjourney.telemetry import context, tracing
from hyperjourney.telemetry.logs import JsonFormatter


def test_a_log_line_is_json_with_request_and_run_ids_and_no_email() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter(log_safe))
    logger = logging.getLogger("hyperjourney.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with context.bound(request_id="req-1"), tracing.run_span("copilot", "acme", "run-42"):
            logger.info("reply drafted for %s", "ana.ruiz@example.com")
        logger.warning("outside any request")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in out.getvalue().splitlines())
    assert (inside["request_id"], inside["run_id"], inside["tenant"], inside["flow"]) == ("req-1", "run-42", "acme",
                                                                                          "copilot")  # fmt: skip
    assert "ana.ruiz@example.com" not in inside["msg"] and inside["msg"].startswith("reply drafted for ")
    assert inside["level"] == "info" and inside["logger"] == "hyperjourney.test_logs"
    assert "request_id" not in outside and "run_id" not in outside
