"""Structured outputs: parse against a schema, re-ask once with the errors, then escalate."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from hyperjourney.guardrails.structured import StructuredOutputError, ask_structured, parse_structured


class Plan(BaseModel):
    channel: str
    steps: int = Field(ge=1)


def test_parse_names_fields_and_accepts_fences() -> None:
    assert parse_structured('```json\n{"channel": "email", "steps": 2}\n```', Plan).steps == 2
    with pytest.raises(StructuredOutputError) as err:
        parse_structured('{"channel": "email", "steps": 0}', Plan)
    assert err.value.errors[0].startswith("steps:")
    with pytest.raises(StructuredOutputError, match="not valid JSON"):
        parse_structured("{channel: email", Plan)
    with pytest.raises(StructuredOutputError, match="empty"):
        parse_structured("  ", Plan)


def test_reask_once_with_the_error_then_succeed() -> None:
    prompts: list[str | None] = []
    answers = iter(['{"channel": "email"}', '{"channel": "email", "steps": 3}'])

    def ask(feedback: str | None) -> str:
        prompts.append(feedback)
        return next(answers)

    result = ask_structured(ask, Plan)
    assert result.value == Plan(channel="email", steps=3) and result.attempts == 2 and not result.escalated
    assert prompts[0] is None and prompts[1] is not None and "steps: Field required" in prompts[1]


def test_second_failure_escalates() -> None:
    calls: list[str | None] = []
    result = ask_structured(lambda fb: calls.append(fb) or "nope", Plan)  # type: ignore[func-returns-value]
    assert result.escalated and result.value is None and result.attempts == 2 and len(calls) == 2
    assert result.errors and "JSON" in result.errors[0]


def test_guarded_draft_reasks_with_fix_hints_then_escalates() -> None:
    from hyperjourney.guardrails.models import Asset, Evidence
    from hyperjourney.guardrails.reask import guarded_draft

    evidence = [Evidence(citation_id="f#1", text="Refunds take 5 business days.")]
    seen: list[str | None] = []
    drafts = iter(["Refunds are risk-free and take 2 days [cite:f#1].", "Refunds take 5 business days [cite:f#1]."])

    def draft(feedback: str | None) -> Asset:
        seen.append(feedback)
        return Asset(kind="support_reply", purpose="support", body=next(drafts))

    fixed = guarded_draft(draft, evidence)
    assert fixed.report.passed and fixed.attempts == 2 and not fixed.escalated
    assert seen[0] is None and seen[1] is not None
    assert "[banned_claim]" in seen[1] and "[number_unsupported]" in seen[1] and "Fix:" in seen[1]
    stuck = guarded_draft(lambda fb: Asset(kind="sms", body="RISK-FREE!!"), evidence)
    assert stuck.escalated and stuck.attempts == 2 and not stuck.report.passed
