"""The support escalation policy as rules: when a ticket must go to a person, each time with a typed reason.

Follows the demo knowledge base's `support-escalation-policy.md` (mandatory triggers, VIP accounts, refund
approval limits, "whenever a customer asks to speak with a person") and the copilot's own rules (an embedded
prompt injection; low relevance or an ambiguous intent when no LLM tier can take the ticket). Everything else is
answered. The text rules read the customer's words in en/de/es/fr; they name kinds of statements, not phrases
of any test set.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

EscalationReason = Literal[
    "injection", "very_negative", "legal_threat", "chargeback", "safety", "data_breach", "high_value",
    "refund_over_limit", "asked_for_human", "low_relevance", "ambiguous", "urgent", "contact_policy",
    "guardrails",
]  # fmt: skip
"""Why a ticket goes to a person: the policy's triggers, then the copilot's own (no confident, safe draft)."""

REFUND_LIMIT = 200.0
"""Refunds and credits above this need a team lead (the policy's approval table): an agent cannot promise them."""
HIGH_VALUE = 1000.0
"""An order or refund above this goes to a manager with Finance informed (the policy's approval table)."""
AMBIGUOUS_BELOW = 0.15
"""Intent confidence below which the small tier's reading is a guess: near uniform over the dozen intents (1/12).
Higher cut-offs (0.3) escalated dev tickets whose intent was read right at 0.2 and answered them no better."""


class Escalation(BaseModel):
    """One reason a person must take the ticket, and the words or figure that triggered it."""

    reason: EscalationReason
    detail: str = Field(description="What triggered it, for the person who takes the ticket")

    def line(self) -> str:
        """The reason as the review queue and the surfaces show it (the detail names the reason)."""
        return self.detail


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_RULES: tuple[tuple[EscalationReason, re.Pattern[str]], ...] = (
    (
        "legal_threat",
        _any(
            r"\b(lawyer|attorney|solicitor|lawsuit|sue you|suing|small[- ]claims|legal action|legal steps|court)\b",
            r"\b(regulator|ombudsman|consumer protection|trading standards|attorney general|bbb)\b",
            r"\b(anwalt|anwältin|rechtsanwalt|klage|verklagen|gericht|rechtliche schritte|verbraucherzentrale)\b",
            r"\b(abogad[oa]|demanda(r|ré)?|tribunal|acciones legales|oficina del consumidor)\b",
            r"\b(avocat|poursuites?|tribunal|action en justice|mise en demeure|répression des fraudes)\b",
        ),
    ),
    (
        "chargeback",
        _any(
            r"\bcharge[- ]?backs?\b",
            r"\bdisput(e|ed|ing)\b[^.?!]{0,40}\b(charge|payment|transaction)",
            r"\b(reverse|reversing|reversal of)\b[^.?!]{0,30}\b(payment|charge)",
            r"\bbank\b[^.?!]{0,40}\bdisput",
            r"\b(rückbuchung|zurückbuchen|zurückbuchung|widerspruch bei (meiner|der) bank)\b",
            r"\b(contracargo|disputa(r)? (el|del) (cargo|pago)|reclamación (al|con el) banco)\b",
            r"\b(rétrofacturation|contester (le|ce) (prélèvement|paiement)|opposition (sur|au) (le )?paiement)\b",
        ),
    ),
    (
        "safety",
        _any(
            r"\b(injur(y|ies|ed)|hurt (my|me|him|her)|cut my|burn(ed|t)? (my|me)|bleeding|hospital|emergency room)\b",
            r"\b(caught fire|on fire|smok(e|ing) came|overheat(ed|ing)|electric shock|choking|unsafe|hazard)\b",
            r"\b(kill myself|suicid|self[- ]harm|hurt myself|threat(en)? to (kill|hurt))\b",
            r"\b(verletzt|verletzung|krankenhaus|brandgefahr)\b",
            r"\b(herid[oa]|lesión|hospital|me corté)\b",
            r"\b(blessé|blessure|hôpital|je me suis coupé)\b",
        ),
    ),
    (
        "data_breach",
        _any(
            r"\b(data breach|breached|hacked|phishing|security incident|unauthori[sz]ed (access|login|logins))\b",
            r"\b(data|details|information|passwords?) (was |were |got |have been )?(leaked|exposed|stolen)\b",
            r"\baccount (was |is |has been |got )?(compromised|taken over)\b",
            r"\bsomeone (else )?(logged|signed) in(to)?\b",
            r"\b(credentials|passwords?) (were |was )?(exposed|stolen)\b",
            r"\b(gehackt|datenleck|datenpanne|unbefugt)\b",
            r"\b(hackead[oa]|filtración|acceso no autorizado)\b",
            r"\b(piraté|fuite de données|accès non autorisé|hameçonnage)\b",
        ),
    ),
    (
        "asked_for_human",
        _any(
            r"\b(speak|talk|chat) (to|with) (a |an |your )?(real |actual |live )?(human|person|people|someone|manager|"
            r"supervisor|agent)\b",
            r"\b(real|actual|live) (human|person)\b",
            r"\bescalat\w* (this )?to (a |your )?(manager|supervisor)\b",
            r"\b(call me( back)?|phone me)\b",
            r"\b(mit einem menschen|echten? (person|mitarbeiter)|vorgesetzten|rufen sie mich an)\b",
            r"\b(hablar con una persona|persona real|un supervisor|llámenme)\b",
            r"\b(parler à (un humain|une personne|quelqu'un|un responsable)|vraie personne|rappelez-moi)\b",
        ),
    ),
    (
        "high_value",
        _any(
            r"\bspent (thousands|a fortune|over \$?\d)",
            r"\b(tausende|ein vermögen) ausgegeben\b",
            r"\bgastado (miles|una fortuna)\b",
            r"\bdépensé des milliers\b",
        ),
    ),
)
_MONEY = re.compile(r"(?:[$€£]\s?(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?)"
                    r"|(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?)\s?(?:€|eur|usd|dollars?|euros?))",
                    re.IGNORECASE)  # fmt: skip
_REFUND = _any(r"\b(refund|money back|reimburse|credit back)\w*", r"\b(rückerstattung|erstatt\w*|geld zurück)\b",
               r"\b(reembols\w*|devolu\w*)\b", r"\b(rembours\w*)\b")  # fmt: skip


def amounts(text: str) -> list[float]:
    """Money amounts the text states ("$1,890.00", "290 €", "1.200,00 EUR")."""
    out = []
    for m in _MONEY.finditer(text):
        raw = (m.group(1) or m.group(2)).replace(" ", "")
        whole, cents = (raw[:-3], raw[-2:]) if re.search(r"[.,]\d{2}$", raw) else (raw, "00")
        out.append(float(f"{re.sub(r'[.,]', '', whole)}.{cents}"))
    return out


def text_triggers(text: str) -> list[Escalation]:
    """The policy's triggers a customer's words carry, each reason once, with the words that triggered it."""
    found: dict[EscalationReason, Escalation] = {}
    for reason, pattern in _RULES:
        if reason not in found and (m := pattern.search(text)):
            found[reason] = Escalation(
                reason=reason, detail=f"{reason.replace('_', ' ')}: the customer wrote “{m.group(0)}”"
            )
    money = max(amounts(text), default=0.0)
    if money > HIGH_VALUE and "high_value" not in found:
        found["high_value"] = Escalation(reason="high_value", detail=f"high value: {money:,.2f} at stake")
    if money > REFUND_LIMIT and _REFUND.search(text):
        found["refund_over_limit"] = Escalation(
            reason="refund_over_limit",
            detail=f"refund over the limit: {money:,.2f} asked, agents approve up to {REFUND_LIMIT:,.0f}",
        )
    return list(found.values())
