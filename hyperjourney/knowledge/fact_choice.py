"""Choosing which typed facts to say: by role, product line, intent, topic, language, region and freshness.

Proof for a campaign is a measured result or a customer's quote; an offer is a price or a product attribute;
a support answer is an FAQ answer or a policy, in the order the ticket's intent prefers. Facts about another
product line than the customer's are never chosen. Each choice carries a relevance in [0, 1] that callers turn
into confidence, so "nothing on topic" escalates instead of sending the best of bad options.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.knowledge.facts import INTENT_WORDS, Fact, FaqDetail, PolicyDetail, products_in, unresolved_pronoun

Role = Literal["proof", "offer", "support"]
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    "proof": ("result", "quote", "attribute", "pricing", "policy", "faq"),
    "offer": ("pricing", "attribute", "policy", "faq", "result", "quote"),
}
"""Campaign facts by role, best first: a result or a customer's words prove, a price or an attribute offers, a
policy or FAQ answer states the terms (free exchanges, a trial without a card); the brief's offer decides among
them (a campaign about a plan's price says the price, not an unrelated result: the dev copy briefs lost most of
their required facts to a customer story that outranked the offer's own price, feature or rule)."""
TERMS_KINDS = ("policy", "faq")
"""Campaign facts said only when the brief's offer names them (free exchanges, a trial without a card): otherwise
a support rule ("contact support with the invoice number") is no proof of anything."""
CAMPAIGN_KIND_STEP = 0.03
"""How much each later kind of a campaign role loses when the brief states an offer: a tie-break, so the offer's
words decide. Without an offer (and for quotes, and support) each later kind loses 0.1: the role's order decides."""
INTENT_KINDS: dict[str, tuple[str, ...]] = {
    "billing_question": ("faq", "policy", "pricing"),
    "refund_request": ("policy", "faq"),
    "cancel_subscription": ("faq", "policy"),
    "technical_issue": ("faq", "attribute"),
    "shipping_delay": ("faq", "policy"),
    "product_question": ("attribute", "faq", "pricing"),
    "sizing_fit": ("faq", "attribute"),
    "account_access": ("faq",),
    "complaint": ("policy", "faq"),
    "data_privacy": ("faq", "policy"),
    "upgrade_inquiry": ("pricing", "attribute", "faq"),
    "praise": (),
}
"""Which kinds of fact answer each support intent, best first; praise is thanked, not answered with facts."""
DEFAULT_SUPPORT_KINDS = ("faq", "policy", "attribute")
INTENT_TOPICS: dict[str, frozenset[str]] = {
    "refund_request": frozenset({"refund", "return", "exchange"}),
    "cancel_subscription": frozenset({"cancel", "refund", "billing"}),
    "shipping_delay": frozenset({"shipping"}),
    "billing_question": frozenset({"billing", "price", "refund"}),
    "complaint": frozenset({"warranty", "return", "refund", "exchange", "shipping"}),
    "sizing_fit": frozenset({"exchange", "return"}),
    "upgrade_inquiry": frozenset({"price", "billing"}),
}
"""Policy topics that can answer each support intent: a refund rule does not answer "where is my order" because
it shares the word "arrived" (intents not listed take any topic)."""
SEGMENT_PRODUCTS: dict[str, str] = {
    "b2b": "ledger", "fintech": "ledger", "banking": "ledger", "bank": "ledger", "credit union": "ledger",
    "insurance": "ledger", "lending": "ledger", "finance": "ledger",
    "plg": "boards", "saas": "boards", "agency": "boards", "agencies": "boards", "events": "boards",
    "dtc": "goods", "shop": "goods", "shopper": "goods", "shoppers": "goods", "e-commerce": "goods",
    "ecommerce": "goods", "runners": "goods", "hikers": "goods", "buyers": "goods",
}  # fmt: skip
"""Segment labels and industries that name a product line without naming the product."""
MIN_RELEVANCE = 0.5
"""Below this no fact answers the need: the caller escalates instead of quoting it."""
_STOP = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "had",
    "has", "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that",
    "the", "their", "them", "there", "they", "this", "to", "was", "we", "what", "when", "where", "which", "who",
    "why", "will", "with", "would", "you", "your", "please", "hi", "hello", "thanks", "thank", "just", "get",
    "got", "been", "am", "not", "no", "yet", "still",
))  # fmt: skip


class Need(BaseModel):
    """What the copy must say something about."""

    role: Role
    text: str = Field(description="The ticket, or the goal and segment, in the customer's or marketer's words")
    focus: str = Field("", description="What the copy is about above all (a campaign's offer): its words weigh most")
    intent: str | None = None
    products: list[str] = Field(default_factory=list, description="Product lines of the customer or segment")
    language: str = "en"
    region: str | None = None
    now: datetime | None = None


class Choice(BaseModel):
    fact: Fact
    quote: str = Field(description="What to say: the fact's text, or the FAQ steps about the customer's product")
    relevance: float = Field(ge=0, le=1)
    why: list[str] = Field(default_factory=list)


def words(text: str) -> set[str]:
    """Content words, lowercased, with a plural 's' dropped."""
    out = set()
    for w in re.findall(r"[a-zà-ÿß0-9]+", text.lower()):
        if w not in _STOP and len(w) > 1:
            out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def products_of_segment(*texts: str) -> list[str]:
    """Product lines a segment, goal or profile names, directly or through a segment label or industry."""
    found: list[str] = []
    for text in texts:
        low = text.lower()
        found += products_in(text)
        found += [p for label, p in SEGMENT_PRODUCTS.items() if re.search(rf"(?<![\w-]){re.escape(label)}\b", low)]
    return list(dict.fromkeys(found))


def kinds_for(need: Need) -> tuple[str, ...]:
    if need.role != "support":
        return ROLE_KINDS[need.role]
    return INTENT_KINDS.get(need.intent or "", DEFAULT_SUPPORT_KINDS)


def _compatible(products: Sequence[str], wanted: Sequence[str]) -> bool:
    return not products or not wanted or bool(set(products) & set(wanted))


def _quote(fact: Fact, need: Need) -> str | None:
    """The words to say; FAQ answers keep the steps about the customer's product (at most two)."""
    if isinstance(fact.detail, FaqDetail):
        steps = [s for s in fact.detail.answer_steps if _compatible(products_in(s), need.products)]
        steps = [s for s in steps if not unresolved_pronoun(s)][:2]
        return " ".join(steps) or None
    return fact.text if _compatible(products_in(fact.text), need.products) else None


def without_lead_in(text: str) -> str:
    """The text without trailing sentences that only introduce a list ("…, such as:"): alone they say nothing."""
    parts = re.split(r"(?<=[.!?:])\s+", text.strip())
    while parts and parts[-1].endswith(":"):
        parts.pop()
    return " ".join(parts)


def score(
    fact: Fact, need: Need, kinds: tuple[str, ...], asked: set[str], focus: frozenset[str] = frozenset()
) -> Choice | None:
    """The fact's relevance to the need, or None when it must not be said (wrong kind, product line, region)."""
    if fact.kind not in kinds or fact.audience != "customer" or unresolved_pronoun(fact.text):
        return None
    if not _compatible(fact.products, need.products):
        return None
    if need.region and fact.region not in (need.region, "global"):
        return None
    topics = INTENT_TOPICS.get(need.intent or "") if need.role == "support" else None
    if topics and isinstance(fact.detail, PolicyDetail) and fact.detail.topic not in topics | {"other"}:
        return None
    quote = _quote(fact, need)
    if quote is None or (need.role != "support" and not (quote := without_lead_in(quote))):
        return None
    detail = fact.detail
    context = detail.question if isinstance(detail, FaqDetail) else getattr(detail, "industry", None) or ""
    said = words(f"{fact.section} {quote} {context}")
    topic = min(1.0, len(asked & said) / max(1, min(len(asked), 4))) if asked else 0.0
    intent = 0.0
    if need.intent:
        tagged = detail.intent if isinstance(detail, FaqDetail) else None  # an FAQ answers its question's intent
        if tagged == need.intent:
            intent = 1.0
        elif tagged is None and any(
            re.search(rf"(?<![\w-]){re.escape(w)}", quote.lower()) for w in INTENT_WORDS.get(need.intent, ())
        ):
            intent = 0.7
    product = 1.0 if need.products and set(fact.products) & set(need.products) else 0.5
    if need.role == "support":
        relevance = (1.0 - 0.1 * kinds.index(fact.kind)) * (0.45 * topic + 0.35 * intent + 0.2 * product)
    else:  # proof and offers: the product line, then the offer's words, then the goal's
        step = CAMPAIGN_KIND_STEP if focus and fact.kind != "quote" else 0.1  # a long quote proves, rarely offers
        weight = 1.0 - step * kinds.index(fact.kind)
        offered = len(focus & said) / max(1, min(len(focus), 3)) if focus else topic
        if fact.kind in TERMS_KINDS and (not focus or offered < 0.5):
            return None  # a rule or FAQ step is said only when it is the offer
        relevance = weight * (0.55 * product + 0.45 * (0.65 * min(1.0, offered) + 0.35 * min(1.0, topic)))
    fresh = need.now is not None and need.now - fact.updated_at < timedelta(days=365)
    why = [f"{fact.kind} about {', '.join(fact.products) or 'every product'}", f"topic {topic:.2f}"]
    if intent:
        why.append(f"intent {need.intent}")
    return Choice(fact=fact, quote=quote, relevance=round(min(1.0, relevance + (0.02 if fresh else 0.0)), 3), why=why)


def choose(facts: Sequence[Fact], need: Need, *, limit: int = 4) -> list[Choice]:
    """The best facts for the need, most relevant first; same-language facts, else English ones.

    Repeats (a policy sentence that is also an FAQ step) are dropped; every choice is at least MIN_RELEVANCE."""
    kinds = kinds_for(need)
    if not kinds:
        return []
    asked, focus = words(need.text), frozenset(words(need.focus))
    for language in dict.fromkeys([need.language, "en"]):
        scored = [c for f in facts if f.language == language and (c := score(f, need, kinds, asked, focus)) is not None]
        scored.sort(key=lambda c: (-c.relevance, c.fact.document_id, c.fact.fact_index))
        chosen: list[Choice] = []
        for c in scored:
            if c.relevance < MIN_RELEVANCE or len(chosen) >= limit:
                break
            if not any(c.quote in k.quote or k.quote in c.quote for k in chosen):
                chosen.append(c)
        if chosen:
            return chosen
    return []
