"""Graders of rendered copy and replies that share no code with what wrote them (issue 16.2).

They read only the text a customer would get and the golden item: no import from the agents, the guardrails'
citation check or the asset renderer (tests/evals/test_graders.py enforces it), so a writer that passes its own
checks can still fail here. Each reading of the brand guides is this module's own: the channel limits and required
texts of kb/demo/brand-voice.md and claims-and-legal-policy.md, the CTA a goal kind asks for, the words that name a
business. Language detection is `langdetect` (Google's language-detection profiles, bundled with the package).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from pydantic import BaseModel

_WORD = re.compile(r"[^\W\d_]+|\d[\d,.]*", re.UNICODE)
_MARKER = re.compile(r"\[cite[:\]]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_STOP = frozenset(
    ("a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "has", "have", "in", "into", "is", "it",
     "its", "of", "on", "or", "our", "so", "that", "the", "their", "this", "to", "up", "was", "we", "were", "will",
     "with", "you", "your", "per", "each", "all", "any")
)  # fmt: skip

# Words that say which business a message is about; a message naming another business's brand is off-brand.
BUSINESS_TERMS: dict[str, tuple[str, ...]] = {
    "ledger": ("ledger", "reconcil", "spend control", "invoice", "expense", "bookkeep", "close the books", "card"),
    "boards": ("boards", "board", "automation", "workspace", "seat", "project"),
    "goods": ("goods", "shoe", "footwear", "apparel", "running", "trail", "jacket", "order", "sneaker", "hike"),
}
BRAND_NAMES = {"ledger": "northwind ledger", "boards": "northwind boards", "goods": "northwind goods"}

# The call to action each kind of marketing goal asks for (a marketer's reading, not the copywriter's templates).
GOAL_KINDS: dict[str, str] = {
    "win_back": r"come back|welcome back|we miss|return to|rejoin|reactivat|pick up where|see what'?s new|back in",
    "upsell": r"upgrade|unlock|move (up )?to|switch to|add (more )?seats|try (the )?(business|team|pro)|go pro",
    "cross_sell": r"\badd\b|pair (it|them|with)|complete (your|the) (look|set|kit)|explore|discover|shop the",
    "acquisition": r"start (your |a )?(free )?trial|sign up|get started|join|create (your|a) (free )?account|demo",
    "retention": r"renew|stay|keep (your|using)|get more (out of|from)|see how|learn how|set up|turn on",
    "onboarding": r"set up|get started|create your first|finish (your|setting)|invite|connect|turn on|build your first",
    "conversion": r"\bbuy\b|shop|order|check ?out|complete your (order|purchase)|claim|redeem|book (a|your)",
    "referral": r"refer|invite (a|your)|share (your|this)",
    "meeting": r"book|schedule|(set up|arrange) a (call|meeting|demo)|talk to|meet (with|our)|pick a (time|slot)",
    "nurture": r"read|download|watch|learn (how|more)|see how|explore|get the (guide|playbook|report)",
}
_KIND_SYNONYMS = {
    "winback": "win_back", "reactivation": "win_back", "re_engagement": "win_back", "reengagement": "win_back",
    "lapsed": "win_back", "reactivate": "win_back", "upgrade": "upsell", "expansion": "upsell",
    "crosssell": "cross_sell", "trial": "acquisition", "signup": "acquisition", "sign_up": "acquisition",
    "lead_gen": "acquisition", "lead_generation": "acquisition", "acquire": "acquisition", "activation": "onboarding",
    "adoption": "onboarding", "churn": "retention", "churn_prevention": "retention", "renewal": "retention",
    "loyalty": "retention", "purchase": "conversion", "sales": "conversion", "promotion": "conversion",
    "promo": "conversion", "cart_recovery": "conversion", "abandoned_cart": "conversion", "referrals": "referral",
    "demo": "meeting", "call": "meeting", "book_a_meeting": "meeting", "education": "nurture", "nurturing": "nurture",
}  # fmt: skip

# brand-voice.md: "Marketing email: subject up to 50 characters"; "SMS: 160 characters in total"; "Push: title up
# to 40 characters, body up to 90 characters".
SUBJECT_MAX = {"email": 50, "push": 40}
BODY_MAX = {"sms": 160, "push": 90}
SMS_OPT_OUT = "reply stop to opt out"
# claims-and-legal-policy.md: a Ledger message on payouts, cards, money movement or customer results carries it
LEDGER_DISCLAIMER = ("not a bank", "results described are from individual customers and will vary")
_LEDGER_TRIGGER = re.compile(r"payout|\bcards?\b|money movement|transfer|customers? (saw|saved|cut|got|report)|\d+%")
_GREETING = re.compile(r"^(hi|hello|hey|dear|hola|hallo|bonjour|guten tag|buenos d[ií]as)\b[^.!?\n]*[,!]?$", re.I)
_DANGLING = re.compile(r"^(it|this|that|these|those|they|them|he|she|its|their)\b", re.IGNORECASE)
LANGUAGE_MIN_PROB = 0.25  # short texts split their probability between close languages (es/pt); both count
READABLE_WORDS_PER_SENTENCE = 25


class UnknownGoalKind(ValueError):
    pass


def normal_goal_kind(kind: str) -> str:
    """``Win-back``, ``win back`` and ``reactivation`` all read ``win_back``; an unknown kind is an error."""
    key = re.sub(r"[\s-]+", "_", kind.strip().lower())
    key = _KIND_SYNONYMS.get(key, key)
    if key not in GOAL_KINDS:
        raise UnknownGoalKind(f"goal kind {kind!r} is not one of {', '.join(sorted(GOAL_KINDS))} (or a synonym)")
    return key


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _stem(word: str) -> str:
    return word[:6]


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _words(text) if len(w) > 3 and w not in _STOP and not w[0].isdigit()}


def has_number(number: str, text: str) -> bool:
    """``number`` as a whole figure: "4" is not found inside "14" or "4.5"."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?!\d|[.,]\d)", text) is not None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def fact_present(text: str, quote: str, number: str | None = None, *, share: float = 0.6) -> bool:
    """A required fact is stated when its figure (if it has one) appears and most of its quote's words do."""
    if number is not None and not has_number(number, text):
        return False
    wanted = content_words(quote)
    return not wanted or len(wanted & content_words(text)) / len(wanted) >= share


def fact_recall(text: str, facts: Sequence[tuple[str, str | None]]) -> float:
    """Share of (quote, number) facts the text states; 1.0 when nothing is required."""
    if not facts:
        return 1.0
    return sum(fact_present(text, quote, number) for quote, number in facts) / len(facts)


def business_match(text: str, business: str) -> bool:
    """Speaks of its own business and names no other business's brand."""
    low = text.lower()
    own = any(term in low for term in BUSINESS_TERMS[business])
    foreign = any(name in low for b, name in BRAND_NAMES.items() if b != business)
    return own and not foreign


def product_line_match(text: str, product_line: str) -> bool:
    """At least half of the product line's words appear (by stem: "shoe" finds "shoes")."""
    wanted = content_words(product_line) or {_stem(w) for w in _words(product_line)}
    return bool(wanted) and len(wanted & {_stem(w) for w in _words(text)}) / len(wanted) >= 0.5


def cta_matches(text: str, goal_kind: str) -> bool:
    return re.search(GOAL_KINDS[normal_goal_kind(goal_kind)], text, re.IGNORECASE) is not None


@cache
def _detector() -> object:
    from langdetect import DetectorFactory  # the profiles load once, on first use

    DetectorFactory.seed = 0  # deterministic: the same text always reads the same language
    return DetectorFactory


def languages(text: str) -> dict[str, float]:
    """Detected language -> probability; empty for text with nothing to detect (digits, markers)."""
    _detector()
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    try:
        return {str(lang.lang): float(lang.prob) for lang in detect_langs(without_markers(text))}
    except LangDetectException:
        return {}


def language_match(text: str, language: str) -> bool:
    return languages(text).get(language.split("-")[0].lower(), 0.0) >= LANGUAGE_MIN_PROB


def without_markers(text: str) -> str:
    return re.sub(r"\s*\[cite:[^\]]*\]", "", text)


def has_citation_markers(text: str) -> bool:
    return _MARKER.search(text) is not None


def channel_problems(channel: str, subject: str | None, body: str) -> list[str]:
    problems = []
    if subject is not None and channel in SUBJECT_MAX and len(subject) > SUBJECT_MAX[channel]:
        problems.append(f"{channel} subject is {len(subject)} characters (limit {SUBJECT_MAX[channel]})")
    if channel in BODY_MAX and len(body.strip()) > BODY_MAX[channel]:
        problems.append(f"{channel} body is {len(body.strip())} characters (limit {BODY_MAX[channel]})")
    return problems


def missing_required_text(channel: str, business: str, text: str, *, marketing: bool = True) -> list[str]:
    """Required texts the message lacks: the Ledger disclaimer when it is triggered, SMS opt-out, email unsubscribe."""
    low = text.lower()
    missing = []
    if business == "ledger" and _LEDGER_TRIGGER.search(low):
        missing += [f"Ledger disclaimer ({part!r})" for part in LEDGER_DISCLAIMER if part not in low]
    if marketing and channel == "sms" and SMS_OPT_OUT not in low:
        missing.append('SMS opt-out ("Reply STOP to opt out")')
    if marketing and channel == "email" and "unsubscribe" not in low:
        missing.append("email unsubscribe link")
    return missing


def dangling_first_sentence(text: str) -> bool:
    """The first sentence after any greeting opens with a pronoun that has nothing before it to refer to."""
    for s in sentences(text):
        if _GREETING.match(s):
            continue
        return _DANGLING.match(s) is not None
    return False


def readable(text: str) -> bool:
    said = [s for s in sentences(text) if _words(s)]
    return not said or sum(len(_words(s)) for s in said) / len(said) <= READABLE_WORDS_PER_SENTENCE


class CopyGrade(BaseModel):
    """One rendered message against its golden item; a check the item has no label for is None."""

    fact_recall: float | None = None
    business: bool | None = None
    product_line: bool | None = None
    cta: bool | None = None
    language: bool | None = None
    channel_ok: bool
    required_text: bool
    no_markers: bool
    no_dangling_pronoun: bool
    readable: bool
    problems: list[str]


def grade_copy(
    channel: str,
    subject: str | None,
    body: str,
    *,
    business: str | None = None,
    facts: Sequence[tuple[str, str | None]] = (),
    product_line: str | None = None,
    goal_kind: str | None = None,
    language: str | None = None,
) -> CopyGrade:
    text = f"{subject or ''}\n{body}"
    channel_issues = channel_problems(channel, subject, body)
    missing = missing_required_text(channel, business or "", text)
    g = CopyGrade(
        fact_recall=fact_recall(text, facts) if facts else None,
        business=business_match(text, business) if business else None,
        product_line=product_line_match(text, product_line) if product_line else None,
        cta=cta_matches(text, goal_kind) if goal_kind else None,
        language=language_match(body, language) if language else None,
        channel_ok=not channel_issues,
        required_text=not missing,
        no_markers=not has_citation_markers(text),
        no_dangling_pronoun=not dangling_first_sentence(body),
        readable=readable(body),
        problems=[*channel_issues, *(f"missing {m}" for m in missing)],
    )
    labels = {"business": "off-brand", "product_line": "misses the product line", "cta": "CTA misses the goal kind",
              "language": "wrong language", "no_markers": "citation markers in the rendered text",
              "no_dangling_pronoun": "first sentence opens with a dangling pronoun"}  # fmt: skip
    g.problems += [why for key, why in labels.items() if getattr(g, key) is False]
    return g


def copy_metrics(grades: Iterable[CopyGrade]) -> dict[str, float]:
    """Mean of each check over the messages that could be graded on it (a check without labels is left out)."""
    graded = list(grades)
    out: dict[str, float] = {}
    for field, metric in (
        ("fact_recall", "required_fact_recall"), ("business", "business_match"),
        ("product_line", "product_line_match"), ("cta", "cta_match"), ("language", "language_match"),
        ("channel_ok", "channel_limits_ok"), ("required_text", "disclaimer_present"),
        ("no_markers", "no_citation_markers"), ("no_dangling_pronoun", "no_dangling_pronoun"),
        ("readable", "readable"),
    ):  # fmt: skip
        values = [float(v) for g in graded if (v := getattr(g, field)) is not None]
        if values:
            out[metric] = sum(values) / len(values)
    return out


def answer_doc_hit(cited_docs: Iterable[str], answer_docs: Sequence[str]) -> bool | None:
    """The reply cites at least one document that answers the ticket (None: the ticket has no such label)."""
    return bool(set(cited_docs) & set(answer_docs)) if answer_docs else None


def _states(value: str | None, reply: str, low: str) -> bool:
    if not value:
        return False
    return has_number(value, reply) if value[0].isdigit() else value.lower() in low


def record_fact_use(reply: str, facts: Mapping[str, str | None]) -> float | None:
    """Share of the record facts a good reply uses whose value the reply states (None: no facts labelled)."""
    if not facts:
        return None
    low = reply.lower()
    used = [_states(v, reply, low) for v in facts.values()]
    return sum(used) / len(used)
