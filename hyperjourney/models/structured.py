"""Structured output from an LLM tier through a pydantic schema: ask, re-ask once with the error, give up.

Giving up is not failure of the run: the router escalates to the next tier or to human review.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from hyperjourney.models.accounting import Usage
from hyperjourney.models.tiers import ChatTier

T = TypeVar("T", bound=BaseModel)

SYSTEM = "Answer only with JSON that matches the requested schema."


class Attempt(BaseModel):
    """One call: what it cost and what came back (``error`` when nothing usable did)."""

    usage: Usage
    error: str | None = None


def _usage(tier: ChatTier, raw: Any, started: float) -> Usage:
    meta = getattr(raw, "usage_metadata", None) or {}
    inp, out = int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    return Usage(
        tier=tier.name,
        model=tier.model_name,
        input_tokens=inp,
        output_tokens=out,
        cost_usd=tier.cost(inp, out),
        latency_ms=(time.perf_counter() - started) * 1000,
    )


def ask(
    tier: ChatTier, schema: type[T], prompt: str, *, feedback: str | None = None, reasks: int = 1
) -> tuple[T | None, list[Attempt]]:
    """Ask ``tier`` for a ``schema`` instance; on a malformed answer re-ask ``reasks`` times with the error."""
    runnable = tier.chat.with_structured_output(schema, method="json_schema", include_raw=True)
    messages: list[BaseMessage] = [SystemMessage(SYSTEM), HumanMessage(prompt)]
    if feedback:
        messages.append(HumanMessage(f"Your previous answer was rejected: {feedback}. Fix it."))
    attempts: list[Attempt] = []
    for _ in range(reasks + 1):
        started = time.perf_counter()
        try:
            result = runnable.invoke(messages)
        except Exception as exc:  # transport or server failure: the tier is unusable for this decision
            attempts.append(Attempt(usage=_usage(tier, None, started), error=f"{type(exc).__name__}: {exc}"))
            return None, attempts
        raw = result.get("raw") if isinstance(result, dict) else None
        parsed = result.get("parsed") if isinstance(result, dict) else result
        error = result.get("parsing_error") if isinstance(result, dict) else None
        usage = _usage(tier, raw, started)
        if parsed is not None and error is None:
            try:
                value = parsed if isinstance(parsed, schema) else schema.model_validate(parsed)
            except ValidationError as exc:
                error = exc
            else:
                attempts.append(Attempt(usage=usage))
                return value, attempts
        reason = str(error or "no structured answer")[:500]
        attempts.append(Attempt(usage=usage, error=reason))
        content = raw.content if isinstance(raw, AIMessage) else ""
        messages += [AIMessage(content if isinstance(content, str) else ""), HumanMessage(f"Invalid: {reason}. Retry.")]
    return None, attempts
