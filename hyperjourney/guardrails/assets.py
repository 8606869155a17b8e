"""validate_asset: one guardrails Guard per asset kind, composed from the locally registered validators.

Support replies may acknowledge a competitor the customer named (brand guide), so they skip that check;
everything else runs every check. Empty copy is a failure, never a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from hyperjourney.guardrails.customer_names import NameIndex
from hyperjourney.guardrails.models import ASSET_KINDS, Asset, AssetKind, Evidence, GuardFailure, GuardReport
from hyperjourney.guardrails.rules import ContentRules, demo_rules
from hyperjourney.guardrails.runtime import new_guard
from hyperjourney.guardrails.validators import CHECKS, validator_classes

GUARD_CHECKS: dict[AssetKind, tuple[str, ...]] = {
    kind: tuple(c for c in CHECKS if not (kind == "support_reply" and c == "competitors")) for kind in ASSET_KINDS
}


@lru_cache(maxsize=len(ASSET_KINDS))
def guard_for(kind: AssetKind) -> Any:
    classes = validator_classes()
    guard = new_guard(f"hyperjourney-{kind}")
    # one call: Guard.use replaces whatever was configured on the same property before
    guard.use(*(classes[name](on_fail="noop") for name in GUARD_CHECKS[kind]))
    return guard


def validate_asset(
    asset: Asset, evidence: Sequence[Evidence], rules: ContentRules | None = None, *, names: NameIndex | None = None
) -> GuardReport:
    """Run the asset kind's guard; the report lists every failure with a code and a fix hint. ``names`` (the
    tenant's customer-name index, customer_names.NAMES) also flags other customers' full names."""
    rules = rules or demo_rules()
    checked = list(GUARD_CHECKS[asset.kind])
    if not asset.body.strip():
        empty = GuardFailure(
            code="empty", validator="input", message="asset body is empty", span=None, fix_hint="write the copy"
        )
        return GuardReport(passed=False, failures=[empty], checked=checked)
    sink: list[GuardFailure] = []
    text = f"{asset.subject}\n{asset.body}" if asset.subject else asset.body
    outcome = guard_for(asset.kind).validate(
        text, metadata={"asset": asset, "evidence": list(evidence), "rules": rules, "sink": sink, "names": names}
    )
    passed = bool(outcome.validation_passed) and not sink
    return GuardReport(passed=passed, failures=sink, checked=checked)
