"""PII in outbound copy: other people's contact data and names, raw card or account numbers, internal notes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hyperjourney.guardrails.copy_text import strip_markers
from hyperjourney.guardrails.customer_names import NameIndex
from hyperjourney.guardrails.models import Asset, Evidence, GuardFailure
from hyperjourney.guardrails.pii import find_pii
from hyperjourney.guardrails.rules import ContentRules

_HINTS = {
    "card": "never show a card number; refer to 'the card ending 1111' at most",
    "iban": "never show a bank account; refer to 'your account on file'",
    "account": "never show an account number; refer to 'your account on file'",
}


def check_pii(
    asset: Asset, evidence: Sequence[Evidence], rules: ContentRules, names: NameIndex | None = None
) -> list[GuardFailure]:
    """``names``: the tenant's customer-name index; without it other customers' names are not checked."""
    text = strip_markers(f"{asset.subject or ''}\n{asset.body}")
    own = {_key(v) for v in asset.recipient_pii}
    out: list[GuardFailure] = []
    for m in find_pii(text):
        if m.kind in _HINTS:
            out.append(_fail("pii_financial", f"raw {m.kind} number in copy", m.value, _HINTS[m.kind]))
        elif m.kind == "email":
            domain = m.value.rsplit("@", 1)[-1].lower()
            if _key(m.value) not in own and domain not in rules.company_domains:
                out.append(
                    _fail("pii_other_person", "an email address that is not the recipient's or ours", m.value, None)
                )
        elif m.kind == "phone" and _key(m.value) not in own and _key(m.value) not in map(_key, rules.company_phones):
            out.append(_fail("pii_other_person", "a phone number that is not the recipient's or ours", m.value, None))
        elif m.kind == "address" and not _company_address(m.value, rules) and _key(m.value) not in own:
            out.append(_fail("pii_other_person", "a street address that is not the recipient's or ours", m.value, None))
    if names is not None:
        for hit in names.find(text, recipient_id=asset.recipient_id, allowed=asset.recipient_pii):
            out.append(_fail("pii_other_person", "the name of another customer", hit.name, None))
    low = text.lower()
    for marker in rules.internal_markers:
        if marker.lower() in low:
            out.append(
                _fail(
                    "internal_note",
                    f"internal note marker {marker!r} in customer copy",
                    marker,
                    "remove internal notes before the copy goes out",
                )
            )
    return out


def _company_address(value: str, rules: ContentRules) -> bool:
    needle = _key(value)
    return any(needle in _key(e) for els in rules.required_elements.values() for e in els)


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9@.]", "", value.lower())


def _fail(code: str, message: str, span: str | None, hint: str | None) -> GuardFailure:
    return GuardFailure(
        code=code,
        validator="pii",
        message=message,
        span=span,
        fix_hint=hint or "remove other people's personal data; address only the recipient",
    )
