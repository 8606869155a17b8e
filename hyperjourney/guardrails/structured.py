"""Structured outputs: JSON that must match a pydantic schema, re-asked once with the error, then escalated.

The agents call `ask_structured` with a function that produces raw model output given optional feedback;
the first call gets no feedback, the re-ask gets the validation errors, and a second failure escalates
(the caller routes the work to human review) instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError

T = TypeVar("T", bound=BaseModel)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class StructuredOutputError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class StructuredResult(BaseModel, Generic[T]):
    value: T | None
    escalated: bool
    attempts: int
    errors: list[str] = Field(default_factory=list, description="errors of the last failed attempt")


def parse_structured(raw: str, schema: type[T]) -> T:
    """Parse JSON (optionally in a ```json fence) into `schema`; errors name each bad field."""
    if not raw or not raw.strip():
        raise StructuredOutputError(["output is empty; expected a JSON object"])
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StructuredOutputError([f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()]
        raise StructuredOutputError(errors) from exc


def reask_prompt(errors: list[str], schema: type[BaseModel]) -> str:
    return (
        "Your previous answer did not match the required JSON schema.\nErrors:\n- "
        + "\n- ".join(errors)
        + f"\nReturn only a JSON object matching this schema:\n{json.dumps(schema.model_json_schema())}"
    )


def ask_structured(ask: Callable[[str | None], str], schema: type[T], *, reasks: int = 1) -> StructuredResult[T]:
    """Call `ask`, validate, re-ask with the errors up to `reasks` times, then escalate."""
    feedback: str | None = None
    errors: list[str] = []
    for attempt in range(1, reasks + 2):
        try:
            value = parse_structured(ask(feedback), schema)
        except StructuredOutputError as exc:
            errors = exc.errors
            feedback = reask_prompt(errors, schema)
            continue
        return StructuredResult[T](value=value, escalated=False, attempts=attempt)
    return StructuredResult[T](value=None, escalated=True, attempts=reasks + 1, errors=errors)
