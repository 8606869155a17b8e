"""What a goal asks the policy to allow — a discount, or skipping caps, consent or quiet hours — checked before
any plan is made, so a request the policy forbids ends the plan with the reason instead of vanishing.

Rules over the goal's words in English, German, Spanish and French; the policy's limits are the tenant's own.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from hyperjourney.policy.schema import Policy

_DISCOUNT = re.compile(
    r"(\d{1,3}(?:[.,]\d+)?)\s*%\s*(?:off\b|discount|rabatt|nachlass|de descuento|descuento|de (?:remise|réduction)"
    r"|remise|réduction|reduction)|(?:discount|rabatt|descuento|remise|réduction) (?:of |von |del |de )?"
    r"(\d{1,3}(?:[.,]\d+)?)\s*%"
)
_BYPASS = re.compile(
    r"\b(?:ignor\w*|skip\w*|bypass\w*|overrid\w*|disregard\w*|without|no|übergeh\w*|umgeh\w*|ohne|sin|saltar\w*|"
    r"omit\w*|sans|contourn\w*)\s+(?:\w+\s+){0,3}?(caps?|frequency (?:caps?|limits?)|contact limits?|limits?|consent|"
    r"opt-?outs?|unsubscribes?|quiet hours|obergrenzen?|kontaktgrenzen?|frequenz\w*|einwilligung\w*|ruhezeiten|"
    r"l[íi]mites?|topes?|consentimiento|frecuencia|plafonds?|consentement|fréquence|horas de silencio|heures calmes)\b"
    r"(?: de (?:frecuencia|contacto|fréquence|contact|la fréquence))?"
)
_WHAT = {
    "consent": "consent",
    "einwilligung": "consent",
    "consentimiento": "consent",
    "consentement": "consent",
    "opt": "consent",
    "unsubscribe": "consent",
    "quiet": "quiet hours",
    "ruhezeit": "quiet hours",
    "horas": "quiet hours",
    "heures": "quiet hours",
}


class Refusal(BaseModel):
    """A request in the goal the policy forbids: what was asked, why not, and a goal that would be allowed."""

    request: str
    reason: str
    rephrase: str


def refusals(goal: str, policy: Policy) -> list[Refusal]:
    """Every forbidden request in the goal; an empty list when the goal asks nothing the policy forbids."""
    text = goal.lower()
    out: list[Refusal] = []
    limit = policy.offers.max_discount_pct
    allowed = goal
    for m in _DISCOUNT.finditer(text):
        pct = float((m.group(1) or m.group(2)).replace(",", "."))
        if pct > limit:
            allowed = allowed.replace(goal[m.start() : m.end()], goal[m.start() : m.end()].replace(
                (m.group(1) or m.group(2)), f"{limit:g}"))  # fmt: skip
            out.append(
                Refusal(
                    request=goal[m.start() : m.end()],
                    reason=f"a {pct:g}% discount is above the policy's limit of {limit:g}% "
                    f"(policy {policy.version}, offers.max_discount_pct)",
                    rephrase="",
                )
            )
    for m in _BYPASS.finditer(text):
        word = m.group(1)
        what = next((v for k, v in _WHAT.items() if word.startswith(k)), "frequency caps")
        allowed = re.sub(r"\s*,?\s*" + re.escape(goal[m.start() : m.end()]) + r"\s*,?", " ", allowed, flags=re.I)
        out.append(
            Refusal(
                request=goal[m.start() : m.end()],
                reason=f"{what} cannot be switched off by a goal: the policy ({policy.version}) checks them on every "
                "send; a change of the contact policy goes through `policy set`, reviewed",
                rephrase="",
            )
        )
    suggestion = f"{' '.join(allowed.split()).rstrip(',')} (within the usual caps and consent)"
    return [r.model_copy(update={"rephrase": suggestion}) for r in out]
