"""Claims the copy may not make: banned phrases, competitor mentions, and policy claims its sources do not state.

Phrases are matched as whole words, case-insensitively, after normalizing hyphens and plurals, so
"risk free", "Risk-Free" and "returns guaranteed" are caught; "cure" does not match "secure". Policy claims
(refunds, prices, time limits, eligibility) must be entailed by the cited chunks (check_entailment).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from pydantic import BaseModel

from hyperjourney.guardrails.copy_text import content_words, sentences, strip_markers
from hyperjourney.guardrails.models import Asset, Evidence, GuardFailure
from hyperjourney.guardrails.rules import ContentRules

_TOKEN = re.compile(r"[\wÀ-ÿ%]+")


def _tokens(text: str) -> list[str]:
    return [_norm(t) for t in _TOKEN.findall(re.sub(r"\s+%", "%", text.lower().replace("-", " ")))]


def _norm(token: str) -> str:
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token


def find_phrases(text: str, phrases: Sequence[str], threshold: float) -> list[tuple[str, str, bool]]:
    """(phrase, matched text, exact?) for each phrase present exactly or as a close variant."""
    tokens = _tokens(text)
    hits: list[tuple[str, str, bool]] = []
    for phrase, target, matcher in _prepared(tuple(phrases)):
        n = len(target)
        best: tuple[float, str] = (0.0, "")
        for i in range(len(tokens) - n + 1):
            window = tokens[i : i + n]
            if window == target:
                best = (1.0, " ".join(window))
                break
            if n > 1 and sorted(window) == sorted(target):
                best = max(best, (0.99, " ".join(window)))
                continue
            if matcher is None:
                continue
            joined = " ".join(window)
            matcher.set_seq1(joined)  # seq2 (the phrase) is analysed once per phrase
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio > best[0]:
                best = (ratio, joined)
        if n > 1 and best[0] < 1.0:  # "risk free" vs "riskfree"
            glued = "".join(target)
            if glued in tokens:
                best = max(best, (0.98, glued))
        if best[0] >= threshold:
            hits.append((phrase, best[1], best[0] == 1.0))
    return hits


@lru_cache(maxsize=64)
def _prepared(phrases: tuple[str, ...]) -> list[tuple[str, list[str], SequenceMatcher[str] | None]]:
    out: list[tuple[str, list[str], SequenceMatcher[str] | None]] = []
    for phrase in phrases:
        target = _tokens(phrase)
        if not target:
            continue
        want = " ".join(target)
        matcher: SequenceMatcher[str] | None = None
        if len(want) >= 6:  # short words only match exactly: "cure" must not match "care"
            matcher = SequenceMatcher(None, autojunk=False)
            matcher.set_seq2(want)
        out.append((phrase, target, matcher))
    return out


def check_banned(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    text = strip_markers(f"{asset.subject or ''}\n{asset.body}")
    return [
        GuardFailure(
            code="banned_claim",
            validator="banned_claims",
            message=f"banned phrase {phrase!r}" + ("" if exact else f" (close variant {matched!r})"),
            span=matched,
            fix_hint="replace the absolute promise with a specific, cited fact",
        )
        for phrase, matched, exact in find_phrases(text, rules.banned_phrases, rules.fuzzy_threshold)
    ]


def check_competitors(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    text = strip_markers(f"{asset.subject or ''}\n{asset.body}")
    return [
        GuardFailure(
            code="competitor_mention",
            validator="competitors",
            message=f"mentions competitor {phrase}",
            span=matched,
            fix_hint="never name competitors in marketing copy; describe our own features instead",
        )
        for phrase, matched, _ in find_phrases(text, rules.competitors, max(rules.fuzzy_threshold, 0.9))
    ]


# --- policy claims must be entailed by the cited text ------------------------------------------------------
#
# A reply that promises a refund, a price, a time limit or an eligibility must say what the cited policy says.
# Each such sentence is read into a few parts (topic, polarity, amounts, durations, an open-ended "at any time",
# a "without ..." condition, plan names) and must find a sentence in its cited chunks with the same topic and
# polarity whose numbers and conditions include the claim's; otherwise it is blocked, with what differed.

_TOPIC = re.compile(
    r"\b(refund|reimburs|return|exchang|cancel|warrant|pric|cost|fee|charg|pay|discount|credit|eligib|trial|ship"
    r"|deliver)\w*",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not(?! only\b)|no(?! (?:later|more) than\b)|never|cannot|can't|won't|don't|doesn't|isn't|aren't|"
    r"wasn't|weren't|non-?refundable|without refund)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "five": "5", "seven": "7", "ten": "10", "fourteen": "14"}
_DURATION = re.compile(
    r"\b(\d+|one|two|three|five|seven|ten|fourteen)[- ](?:business |calendar |working )?(hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
_UNBOUNDED = re.compile(
    r"\b(?:at any time|any ?time|whenever you (?:like|want)|no time limit|forever|for life|lifetime|indefinitely"
    r"|no matter when)\b",
    re.IGNORECASE,
)
_MONEY = re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:%|percent|dollars|euros?|pounds)")
_WITHOUT = re.compile(r"\bwithout (?:a |an |the |any |your )?(\w+)", re.IGNORECASE)
_PLANS = re.compile(
    r"\b(monthly|annual|yearly|starter|growth|scale|team|business|free|trail club|express|standard|gift card"
    r"|final sale)\b",
    re.IGNORECASE,
)
_SAME_PLAN = {"yearly": "annual"}
_ALWAYS_CHECKED = {"refund", "reimburs", "return", "exchang", "cancel"}
"""Topics checked even without a number: any promise about refunds, returns, exchanges or cancelling."""
CONTRADICTION_OVERLAP = 0.6
"""A cited sentence of opposite polarity that shares this share of the claim's words, and at least as many as any
supporting sentence, contradicts the claim ("Refunds can be paid in cash" vs "We cannot ... pay refunds in cash")."""


class PolicyClaim(BaseModel):
    """What a sentence asserts about a policy, in the parts the entailment check compares."""

    topics: frozenset[str]
    negated: bool
    durations: frozenset[str]
    amounts: frozenset[str]
    unbounded: bool
    without: frozenset[str]
    plans: frozenset[str]


def read_claim(text: str) -> PolicyClaim:
    low = text.lower()
    return PolicyClaim(
        topics=frozenset(m.group(1).lower() for m in _TOPIC.finditer(low)),
        negated=bool(_NEGATION.search(low)),
        durations=frozenset(f"{_WORD_NUMBERS.get(n, n)} {u}" for n, u in _DURATION.findall(low)),
        amounts=frozenset(re.sub(r"[\s,$€£]|percent|dollars|euros?|pounds", "", a) for a in _MONEY.findall(low)),
        unbounded=bool(_UNBOUNDED.search(low)),
        without=frozenset(_stem_word(w) for w in _WITHOUT.findall(low)),
        plans=frozenset(_SAME_PLAN.get(p, p) for p in (m.lower() for m in _PLANS.findall(low))),
    )


def _stem_word(word: str) -> str:
    return re.sub(r"(?:ing|ed|s)$", "", word.lower())


def _units(evidence: Evidence) -> list[tuple[str, str]]:
    """(sentence, its context: the title, the heading above it and the sentence before it) of one chunk."""
    lines = [s.text for s in sentences(evidence.text)]
    heading, out = evidence.title, []
    for i, line in enumerate(lines):
        if line.startswith("#") or line.endswith("?"):
            heading = line
            continue
        out.append((line, f"{evidence.title} {heading} {lines[i - 1] if i else ''} {line}"))
    return out


def _supports(claim: PolicyClaim, sentence: str, context: str) -> str | None:
    """None when the cited sentence states the claim; else what differs. A sentence without a topic of its
    own ("Trail Club members get 60 days.") takes the topic around it, but then only supports the claim
    through a number it states."""
    said = read_claim(sentence)
    around = read_claim(context)
    figures = claim.durations | claim.amounts
    if not claim.topics & (said.topics or around.topics):
        return "topic"
    if not said.topics and not figures & (said.durations | said.amounts):
        return "topic"
    if claim.negated != said.negated:
        return "polarity"
    if claim.unbounded and not said.unbounded:
        return "limit"
    if not claim.durations <= (said.durations | around.durations) or not claim.amounts <= (
        said.amounts | around.amounts
    ):
        return "limit"
    if not claim.without <= around.without:
        return "condition"
    return None


def _overlap(claim_text: str, sentence: str) -> float:
    want = content_words(claim_text)
    return len(want & content_words(sentence)) / len(want) if want else 0.0


_WHY = {
    "polarity": "the cited text states the opposite",
    "limit": "the cited text gives a different limit",
    "condition": "the cited text does not state that condition",
    "topic": "the cited text does not cover it",
    "plan": "the cited text does not cover that plan",
}


def check_entailment(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    """Block a refund, price, time-limit or eligibility claim that its cited chunks do not state."""
    by_id = {e.citation_id: e for e in evidence}
    failures: list[GuardFailure] = []
    for s in sentences(asset.body):
        claim = read_claim(s.text)
        limited = bool(claim.durations or claim.amounts or claim.unbounded or claim.without)
        is_policy = (bool(claim.topics) and limited) or bool(claim.topics & _ALWAYS_CHECKED)
        cited = [by_id[c] for c in s.citations if c in by_id] or [by_id[c] for c in asset.citations if c in by_id]
        if s.text.rstrip().endswith("?") or not is_policy or not cited:
            continue
        reasons: list[str] = []
        support, contradiction = -1.0, -1.0
        for chunk in cited:
            if not claim.plans <= read_claim(f"{chunk.title} {chunk.text}").plans:
                reasons.append("plan")
                continue
            for sentence, context in _units(chunk):
                if claim.plans and not claim.plans & read_claim(context).plans:
                    continue
                why = _supports(claim, sentence, context)
                if why is None:
                    support = max(support, _overlap(s.text, sentence))
                elif why == "polarity":
                    contradiction = max(contradiction, _overlap(s.text, sentence))
                reasons.append(why or "")
        if support >= 0 and not (contradiction >= CONTRADICTION_OVERLAP and contradiction >= support):
            continue
        reasons = reasons if support < 0 else ["polarity"]
        why = next((r for r in ("limit", "condition", "polarity", "plan") if r in reasons), "topic")
        failures.append(
            GuardFailure(
                code="claim_not_entailed",
                validator="policy_claims",
                message=f"{s.text!r}: {_WHY[why]}",
                span=s.text,
                fix_hint="state the policy as the cited text does: same terms, limits and conditions",
            )
        )
    return failures
