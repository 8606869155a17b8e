"""Campaign copy on the small tier: the template library (prompts/campaign_copy_<locale>) filled with chosen facts.

Templates are keyed by goal kind, channel, business and locale, with three A/B variants per key. Tone is realised,
not only checked: the register of openers and closers follows formality and warmth, hedged (question) calls to
action follow formality, and brevity sets how many facts a message carries. A disclaimer of the tenant's content
rules is added when a fact that triggers it is used (a customer result, or a trigger word, about the product it
covers). Facts are framed by their kind: a result or a quote as what one team measured or said, a price or an
attribute as a fact about the product, never as a testimonial.
"""

from __future__ import annotations

import re
from functools import cache
from string import Template
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, Field

from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.prompts.loader import Prompt, load

GoalKind = Literal["win_back", "upsell", "activation", "nurture", "meeting", "cross_sell", "retention"]
GOAL_KINDS: tuple[GoalKind, ...] = get_args(GoalKind)
Channel = Literal["email", "sms", "push", "in_app", "chat"]
LOCALES = ("en", "de", "es", "fr")
Register = Literal["formal", "neutral", "warm"]
# How a goal names its kind, first match wins (a meeting goal may also say "trial": booking decides).
_KIND_WORDS: tuple[tuple[GoalKind, str], ...] = (
    ("meeting", r"\b(demo|meeting|call|book|schedul\w*|walkthrough|consultation|termin|reuni[oó]n|rendez-vous)\b"),
    ("win_back", r"\b(win[- ]?back|lapsed|inactive|re-?engag\w*|reactivat\w*|come back|haven'?t (ordered|logged))"),
    ("upsell", r"\b(upsell|upgrad\w*|move (up )?to|expan\w*|more seats|add seats|higher plan|overage)"),
    ("cross_sell", r"\b(cross[- ]?sell|add-ons?|pair|bundle|complete the look|accessor\w*|socks|second product)"),
    ("activation", r"\b(activat\w*|onboard\w*|set ?up|first (bank|board|workspace|automation|order)|connect|trial)"),
    ("retention", r"\b(retain|retention|churn|renew\w*|keep|stay|adoption|turn on|enable)\b"),
    ("nurture", r"\b(nurture|educat\w*|whitepaper|guide|playbook|webinar|content|read|learn)\b"),
)


class CampaignBrief(BaseModel):
    """What the marketer asked for beyond the goal's words; it reaches the Copywriter through the canvas request."""

    goal_kind: GoalKind | None = Field(None, description="What the copy asks the reader to do; inferred when unset")
    channel: Channel | None = Field(None, description="The channel the marketer asked for, drafted beside email/SMS")
    business: str | None = Field(None, description="Product line (ledger, boards, goods) when the brief names one")
    offer: str = Field("", description="What the campaign offers or proves, in the marketer's words")
    audience: str = Field("", description="Who it is for, in the marketer's words")
    tone: ToneAttributes | None = Field(None, description="Requested tone; unset: the tenant's tone policy")
    locale: str = Field("en", pattern=r"^[a-z]{2}$", description="Language of the copy (en, de, es, fr)")
    region: str | None = Field(None, description="Region the facts must hold in (us, uk, eu)")
    deadline: str | None = Field(None, description="When the offer ends, as the reader should see it")
    plan: str | None = Field(None, description="The plan an upsell moves to; else the chosen price fact's plan")


class Proof(BaseModel):
    """One fact as the copy states it, with the chunk it cites."""

    text: str = Field(min_length=1)
    citation_id: str
    kind: str
    plan: str | None = None


class Written(BaseModel):
    """One filled template: what it says and which key and variant wrote it (recorded on the step)."""

    subject: str | None
    body: str
    key: str
    variant: int
    voice: Register
    disclaimers: list[str] = Field(default_factory=list)


def goal_kind_of(text: str) -> GoalKind:
    """The goal kind its words name; nurture when none does (a message that informs asks least)."""
    low = text.lower()
    return next((kind for kind, pattern in _KIND_WORDS if re.search(pattern, low)), "nurture")


@cache
def _table(locale: str) -> tuple[dict[str, Any], Prompt]:
    prompt = load(f"campaign_copy_{locale if locale in LOCALES else 'en'}")
    return yaml.safe_load(prompt.text), prompt


def library(locale: str) -> Prompt:
    """The locale's template file (its version is the content hash the step records)."""
    return _table(locale)[1]


def register_of(tone: ToneAttributes) -> Register:
    if tone.formality >= 0.65:
        return "formal"
    return "warm" if tone.warmth >= 0.65 else "neutral"


def fact_budget(channel: str, tone: ToneAttributes) -> int:
    """How many facts a message says: short channels one; email by brevity (3 up to 0.35, 2 up to 0.75, else 1)."""
    if channel in ("sms", "push"):
        return 1
    if channel in ("in_app", "chat"):
        return 1 if tone.brevity > 0.6 else 2
    return 3 if tone.brevity <= 0.35 else 2 if tone.brevity <= 0.75 else 1


def _goal_lines(table: dict[str, Any], kind: GoalKind, business: str | None) -> dict[str, list[str]]:
    goal = table["goals"][kind]
    return {**goal["any"], **goal.get(business or "", {})}


def _pick(options: list[str], variant: int) -> str:
    return options[variant % len(options)]


def write(
    channel: Channel, kind: GoalKind, business: str | None, locale: str, proofs: list[Proof], tone: ToneAttributes,
    *, variant: int, brand: str, footer: str, rules: ContentRules, brief: CampaignBrief | None = None,
    first_name: str | None = None,
) -> Written:  # fmt: skip
    """Fill variant ``variant`` of the (goal kind, channel, business, locale) template with ``proofs``, each cited
    inline; the register, the call to action's hedging and the number of facts follow ``tone``."""
    table, _prompt = _table(locale)
    register = register_of(tone)
    lines = _goal_lines(table, kind, business)
    product = brand if not business or business.lower() in brand.lower() else f"{brand} {business.title()}"
    plan = (brief.plan if brief else None) or next((p.plan for p in proofs if p.plan), None) or product
    slots = {"name": f" {first_name}" if first_name else "", "product": product, "plan": plan, "brand": brand}
    said = proofs[: fact_budget(channel, tone)]
    short = channel in ("sms", "push")
    hedge = not short and tone.formality >= 0.6 and tone.brevity <= 0.75
    cta = _pick(lines["short" if short else "soft" if hedge else "direct"], variant)
    kinds = {p.kind for p in said}
    lead_kind = kinds.pop() if len(kinds) == 1 and kinds <= {"result", "quote"} else "product"
    sep = "\n" if channel == "email" else " "
    bullet = "- " if channel == "email" and len(said) > 1 else ""
    facts = sep.join(f"{bullet}{_cited(p)}" for p in said)
    deadline = brief.deadline if brief else None
    values = {
        **slots,
        "opener": _pick(table["openers"][register], variant),
        "closer": _pick(table["closers"][register], variant),
        "bridge": _pick(table["bridges"][register], variant),
        "thanks": _pick(table["sms_thanks"][register if tone.formality < 0.5 else "neutral"], variant),  # "!" is casual
        "signature": table["signature"],
        "lead": _pick(table["leads"][lead_kind], variant),
        "facts": facts,
        "cta": cta,
        "deadline": Template(table["deadline"]).safe_substitute(deadline=deadline) if deadline else "",
        "footer": footer,
    }
    body = _fill(_pick(table["channels"][channel], variant), values)
    disclaimers = required_disclaimers(rules, body, said, product)  # every channel; a short one may not fit them
    if disclaimers:
        extra = "\n\n".join(disclaimers)
        body = body.replace(footer, f"{extra}\n\n{footer}") if channel == "email" and footer else f"{body} {extra}"
    subject = _fill(_pick(lines["subject"], variant), values) if channel in ("email", "push") else None
    key = f"{kind}/{channel}/{business or 'any'}/{locale}"
    return Written(
        subject=subject, body=body.strip(), key=key, variant=variant % 3, voice=register, disclaimers=disclaimers
    )


def _cited(proof: Proof) -> str:
    """The fact with its citation after each of its sentences (the guardrail reads sentence by sentence)."""
    text = proof.text.strip()
    text = text if text.endswith((".", "!", "?", "”", '"', ")")) else f"{text}."
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    return " ".join(f"{part} [cite:{proof.citation_id}]" for part in parts)


def _fill(template: str, values: dict[str, str]) -> str:
    """Slots twice: a slot's value may hold slots of its own ($product inside a call to action); an empty slot
    leaves no double space (a short message that says no fact)."""
    once = Template(template).safe_substitute(values)
    return re.sub(r"[ \t]+\n", "\n", re.sub(r"(?<=\S) {2,}", " ", Template(once).safe_substitute(values)))


def required_disclaimers(rules: ContentRules, body: str, proofs: list[Proof], product: str) -> list[str]:
    """Disclaimers the tenant's rules make mandatory for this copy: a trigger word, or a customer result or quote
    among ``proofs`` (their text says results are from individual customers), about a product the disclaimer
    covers. Every channel carries them: a short message that then runs past its limit fails the guardrails, and
    the Copywriter says another fact, or none, instead of sending the fact without its disclaimer."""
    low = body.lower()
    out = []
    for d in rules.disclaimers:
        covers = not d.applies_with or any(_word(w, f"{low} {product.lower()}") for w in d.applies_with)
        triggered = any(_word(t, low) for t in d.triggers)
        result = any(p.kind in ("result", "quote") for p in proofs) and "individual customers" in d.text.lower()
        if covers and (triggered or result):
            out.append(" ".join(d.text.split()))
    return out


def _word(word: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(word.lower())}\b", text) is not None
