"""Guardrails on what is sent: the rendered text and the asset's claims, under the tenant's content rules;
and the one rule for launching: only variants whose check passed go out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from hyperjourney.assets.models import CopyAsset, RenderedMessage
from hyperjourney.guardrails.assets import validate_rendered
from hyperjourney.guardrails.customer_names import NameIndex
from hyperjourney.guardrails.models import Asset, Evidence, GuardReport
from hyperjourney.guardrails.rules import ContentRules

V = TypeVar("V")


def validate_copy(
    asset: CopyAsset,
    rendered: RenderedMessage,
    evidence: Sequence[Evidence],
    rules: ContentRules,
    *,
    names: NameIndex | None = None,
) -> GuardReport:
    """Banned claims, brand, PII and length on ``rendered`` (the customer's text); citations and stated numbers
    on the asset's claims; no fact or figure in its uncited text. ``rules``: the tenant's (rules_store)."""
    checked = Asset(
        kind=asset.kind,
        subject=rendered.subject,
        body=rendered.body,
        tone=asset.tone,
        citations=asset.citation_ids(),
        purpose=asset.purpose,
        recipient_id=asset.recipient_id,
        locale=rendered.locale,
    )
    return validate_rendered(checked, asset.claims(), asset.prose(), evidence, rules, names=names)


def launchable(variants: Sequence[V], reports: Sequence[GuardReport]) -> list[V]:
    """The variants whose report passed (an edit counts once its own re-check passed), in order."""
    if len(variants) != len(reports):
        raise ValueError(f"{len(variants)} variants but {len(reports)} guard reports: every variant needs its check")
    return [v for v, r in zip(variants, reports, strict=True) if r.passed]
