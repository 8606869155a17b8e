"""Guarded drafting: validate, re-ask once with the failures as feedback, then escalate to review.

The agents pass a `draft` function (feedback -> Asset); the first call gets no feedback, the re-ask gets
each failure's code, span and fix hint. A draft that still fails is returned with `escalated=True` so
the caller submits it to the review queue (review.queue.submit_asset) instead of sending it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

from hyperjourney.guardrails.assets import validate_asset
from hyperjourney.guardrails.models import Asset, Evidence, GuardReport
from hyperjourney.guardrails.rules import ContentRules


class GuardedDraft(BaseModel):
    asset: Asset
    report: GuardReport
    attempts: int
    escalated: bool


def feedback_for(report: GuardReport) -> str:
    """The failures as instructions a model (or a person) can act on."""
    lines = ["The draft failed these checks; fix every one and keep everything else:"]
    for f in report.failures:
        where = f' in "{f.span}"' if f.span else ""
        hint = f" Fix: {f.fix_hint}" if f.fix_hint else ""
        lines.append(f"- [{f.code}] {f.message}{where}.{hint}")
    return "\n".join(lines)


def guarded_draft(
    draft: Callable[[str | None], Asset],
    evidence: Sequence[Evidence],
    rules: ContentRules | None = None,
    *,
    reasks: int = 1,
) -> GuardedDraft:
    feedback: str | None = None
    for attempt in range(1, reasks + 2):
        asset = draft(feedback)
        report = validate_asset(asset, evidence, rules)
        if report.passed:
            return GuardedDraft(asset=asset, report=report, attempts=attempt, escalated=False)
        feedback = feedback_for(report)
    return GuardedDraft(asset=asset, report=report, attempts=reasks + 1, escalated=True)
