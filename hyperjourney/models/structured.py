"""Structured output from an LLM tier through a pydantic schema: ask, re-ask once with the error, give up.

Giving up is not failure of the run: the router escalates to the next tier or to human review. Each call goes
through the router's ``Resilience`` (transport retries, the tier's breaker) and is one ``chat`` span.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from opentelemetry.trace import StatusCode
from pydantic import BaseModel, ValidationError

from hyperjourney.models.accounting import Usage
from hyperjourney.models.resilience import Resilience, TierUnavailable
from hyperjourney.models.tiers import ChatTier
from hyperjourney.prompts.loader import Prompt
from hyperjourney.settings import RouterSettings
from hyperjourney.telemetry import tracing

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
    tier: ChatTier,
    schema: type[T],
    prompt: str,
    *,
    feedback: str | None = None,
    reasks: int = 1,
    source: Prompt | None = None,
    resilience: Resilience | None = None,
) -> tuple[T | None, list[Attempt]]:
    """Ask ``tier`` for a ``schema`` instance; on a malformed answer re-ask ``reasks`` times with the error.

    ``source`` is the versioned prompt ``prompt`` was rendered from (its name and hash go on the span). Raises
    ``TierUnavailable`` when the tier cannot answer at all (retries spent, circuit open, no time left)."""
    guard = resilience or Resilience(RouterSettings())
    runnable = tier.chat.with_structured_output(schema, method="json_schema", include_raw=True)
    messages: list[BaseMessage] = [SystemMessage(SYSTEM), HumanMessage(prompt)]
    if feedback:
        messages.append(HumanMessage(f"Your previous answer was rejected: {feedback}. Fix it."))
    attempts: list[Attempt] = []
    for _ in range(reasks + 1):
        started = time.perf_counter()
        with tracing.chat_span(tier.name, tier.model_name, *_named(source)) as span:
            try:
                result = guard.call(tier.name, tier.model_name, partial(runnable.invoke, list(messages)))
            except TierUnavailable as exc:
                exc.attempts = attempts  # what the earlier tries of this decision cost is still charged
                raise
            except Exception as exc:  # a failure retrying cannot fix (a 400, a refusal): this decision only
                span.set_status(StatusCode.ERROR, str(exc)[:200])
                span.set_attribute("error.type", type(exc).__name__)
                attempts.append(Attempt(usage=_usage(tier, None, started), error=f"{type(exc).__name__}: {exc}"))
                return None, attempts
            raw = result.get("raw") if isinstance(result, dict) else None
            usage = _usage(tier, raw, started)
            span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
        parsed = result.get("parsed") if isinstance(result, dict) else result
        error = result.get("parsing_error") if isinstance(result, dict) else None
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


def _named(source: Prompt | None) -> tuple[str, str]:
    return (source.name, source.sha256) if source is not None else ("", "")
