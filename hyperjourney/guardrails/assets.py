"""validate_asset: one guardrails Guard per asset kind, composed from the locally registered validators.

Support replies may acknowledge a competitor the customer named (brand guide), so they skip that check;
everything else runs every check. Empty copy is a failure, never a pass. ``validate_rendered`` checks the
text exactly as the customer gets it (no markers) and the structured claims behind it, so what is checked
is what is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from hyperjourney.guardrails.citations import boilerplate, check_sentence, is_boilerplate
from hyperjourney.guardrails.copy_text import Sentence, numbers, sentences
from hyperjourney.guardrails.customer_names import NameIndex
from hyperjourney.guardrails.models import (
    ASSET_KINDS,
    Asset,
    AssetKind,
    Claim,
    Evidence,
    GuardFailure,
    GuardReport,
)
from hyperjourney.guardrails.rules import ContentRules, demo_rules
from hyperjourney.guardrails.runtime import new_guard
from hyperjourney.guardrails.validators import CHECKS, validator_classes
from hyperjourney.telemetry.metrics import GUARDRAIL_FAILURES

GUARD_CHECKS: dict[AssetKind, tuple[str, ...]] = {
    kind: tuple(c for c in CHECKS if not (kind == "support_reply" and c == "competitors")) for kind in ASSET_KINDS
}


@lru_cache(maxsize=2 * len(ASSET_KINDS))
def guard_for(kind: AssetKind, *, marked: bool = True) -> Any:
    """The kind's guard; ``marked=False`` leaves out the scan for inline [cite:] markers (rendered text has none:
    its claims are checked as structured data instead)."""
    classes = validator_classes()
    guard = new_guard(f"hyperjourney-{kind}" + ("" if marked else "-rendered"))
    # one call: Guard.use replaces whatever was configured on the same property before
    guard.use(*(classes[name](on_fail="noop") for name in GUARD_CHECKS[kind] if marked or name != "citations"))
    return guard


def validate_asset(
    asset: Asset, evidence: Sequence[Evidence], rules: ContentRules | None = None, *, names: NameIndex | None = None
) -> GuardReport:
    """Run the asset kind's guard; the report lists every failure with a code and a fix hint. ``names`` (the
    tenant's customer-name index, customer_names.NAMES) also flags other customers' full names."""
    return _run(asset, evidence, rules or demo_rules(), names, marked=True, claims=[])


def validate_rendered(
    asset: Asset,
    claims: Sequence[Claim],
    prose: Sequence[str],
    evidence: Sequence[Evidence],
    rules: ContentRules | None = None,
    *,
    names: NameIndex | None = None,
) -> GuardReport:
    """Check rendered copy: ``asset.body`` is the customer's text, ``claims`` the cited statements in it and
    ``prose`` its uncited text. Every claim must cite evidence that exists and states its numbers; uncited
    prose must state no fact or figure; the rest (banned claims, brand, PII) runs on the rendered text."""
    rules = rules or demo_rules()
    by_id = {e.citation_id: e for e in evidence}
    failures: list[GuardFailure] = []
    for claim in claims:
        s = Sentence(text=claim.text, raw=claim.text, citations=tuple(claim.citations))
        stated = frozenset(n for c in claim.numbers for n in numbers(c))
        failures += check_sentence(s, by_id, stated)
    skip = boilerplate(rules)
    for text in prose:
        for s in sentences(text):
            if not is_boilerplate(s.text, skip):
                failures += check_sentence(s, by_id)
    return _run(asset, evidence, rules, names, marked=False, claims=failures)


def _run(
    asset: Asset,
    evidence: Sequence[Evidence],
    rules: ContentRules,
    names: NameIndex | None,
    *,
    marked: bool,
    claims: list[GuardFailure],
) -> GuardReport:
    checked = list(GUARD_CHECKS[asset.kind])
    if not asset.body.strip():
        empty = GuardFailure(
            code="empty", validator="input", message="asset body is empty", span=None, fix_hint="write the copy"
        )
        return counted(GuardReport(passed=False, failures=[empty], checked=checked))
    sink: list[GuardFailure] = list(claims)
    text = f"{asset.subject}\n{asset.body}" if asset.subject else asset.body
    outcome = guard_for(asset.kind, marked=marked).validate(
        text, metadata={"asset": asset, "evidence": list(evidence), "rules": rules, "sink": sink, "names": names}
    )
    passed = bool(outcome.validation_passed) and not sink
    return counted(GuardReport(passed=passed, failures=sink, checked=checked))


def counted(report: GuardReport) -> GuardReport:
    """Each failure counted by its rule (code) on /metrics: Brand watches which rules fail, and how often."""
    for failure in report.failures:
        GUARDRAIL_FAILURES.labels(rule=failure.code).inc()
    return report
