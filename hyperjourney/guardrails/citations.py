"""Mandatory citations: every claim sentence cites evidence that exists and supports it.

Support is lexical and numeric: each number in the sentence must appear in a cited chunk, and enough of
the sentence's content words must too. Cheap, deterministic, and it catches invented figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hyperjourney.guardrails.copy_text import CITE, Sentence, content_words, numbers, sentences
from hyperjourney.guardrails.models import Asset, Evidence, GuardFailure
from hyperjourney.guardrails.rules import ContentRules

NAME = "citations"
MIN_WORD_SUPPORT = 0.3
_CLAIM = re.compile(
    r"\d|[$€£%]|\b(?:faster|slower|more|less|fewer|reduc\w*|cut|cuts|sav(?:e|es|ings?)|increas\w*|improv\w*|boost\w*"
    r"|secur\w*|encrypt\w*|certif\w*|complian\w*|audit\w*|waterproof|warrant\w*|guarant\w*|free|trial|pric\w*"
    r"|costs?|fees?|includ\w*|supports?|integrat\w*|rated|award\w*|proven|best|only|first|customers|automat\w*"
    r"|match\w*|sync\w*|helps?|lets|refund\w*|ships?|shipping|deliver\w*|returns?)\b",
    re.IGNORECASE,
)


def is_claim(sentence: str) -> bool:
    """A sentence that states a fact, figure or product claim (greetings, questions and CTAs are not)."""
    if sentence.rstrip().endswith("?") or len(sentence.split()) <= 3:
        return False
    return bool(_CLAIM.search(sentence))


def boilerplate(rules: ContentRules) -> list[str]:
    """Footer and disclaimer text that is required, not claimed, so it needs no citation."""
    parts = [e for els in rules.required_elements.values() for e in els]
    parts += [e for els in rules.transactional_elements.values() for e in els]
    parts += [d.text for d in rules.disclaimers]
    return [p.lower() for p in parts]


def check_citations(asset: Asset, evidence: Sequence[Evidence], rules: ContentRules) -> list[GuardFailure]:
    by_id = {e.citation_id: e for e in evidence}
    failures: list[GuardFailure] = []
    for cid in asset.citations:
        if cid not in by_id:
            failures.append(_fail("citation_unknown", f"asset cites {cid!r}, which is not in the evidence", cid))
    skip = boilerplate(rules)
    for s in sentences(asset.body):
        if not is_boilerplate(s.text, skip):
            failures.extend(check_sentence(s, by_id))
    return failures


def is_boilerplate(sentence: str, skip: list[str]) -> bool:
    """Required footer, opt-out or disclaimer text (``skip`` from ``boilerplate``): no citation needed."""
    low = sentence.lower()
    if any(low in b or b in low for b in skip):
        return True
    return any(k in low for k in ("unsubscribe", "manage preferences", "reply stop", "you are receiving"))


def check_sentence(s: Sentence, by_id: dict[str, Evidence], stated: frozenset[str] = frozenset()) -> list[GuardFailure]:
    """One sentence against the evidence it cites; ``stated`` adds numbers a structured claim declares."""
    if not s.citations:
        if is_claim(s.text):
            return [
                _fail(
                    "citation_missing",
                    "this sentence states a fact, figure or product claim without a citation",
                    s.text,
                    "add [cite:<id>] for the evidence chunk that says this, or remove the claim",
                )
            ]
        return []
    unknown = [c for c in s.citations if c not in by_id]
    if unknown:
        return [
            _fail(
                "citation_unknown",
                f"cites {', '.join(unknown)}, not in the retrieved evidence",
                s.text,
                "cite only ids from the evidence you were given",
            )
        ]
    cited = " ".join(by_id[c].text for c in s.citations)
    missing = sorted((numbers(s.text) | stated) - numbers(cited))
    if missing:
        return [
            _fail(
                "number_unsupported",
                f"{', '.join(missing)} does not appear in the cited source",
                s.text,
                "use the figure exactly as the cited source states it (same value and unit), or drop it",
            )
        ]
    wrong = [
        c for c in s.citations
        if by_id[c].values and not (_states_value(s.text, by_id[c].values) and _states_value(s.text, [by_id[c].names]))
    ]  # fmt: skip
    if wrong:
        return [
            _fail(
                "record_mismatch",
                f"does not state the record's value for {', '.join(wrong)}",
                s.text,
                "state the customer's record exactly as stored (order status, date, plan), or drop the sentence",
            )
        ]
    if all(by_id[c].values for c in s.citations):  # a record claim: its value is the support, in any locale's words
        return []
    words = content_words(CITE.sub(" ", s.text))
    if words and len(words & content_words(cited)) / len(words) < MIN_WORD_SUPPORT:
        return [
            _fail(
                "citation_unsupported",
                "the cited source does not appear to say this",
                s.text,
                "rephrase closer to the cited text or cite the chunk that supports it",
            )
        ]
    return []


def _states_value(text: str, values: list[str]) -> bool:
    """A record claim states its row's value as a whole word (``shipped``, not a ``shipped`` inside another word);
    an empty value asks for nothing."""
    return any(not v or re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.IGNORECASE) for v in values)


def _fail(code: str, message: str, span: str | None, hint: str | None = None) -> GuardFailure:
    return GuardFailure(code=code, validator=NAME, message=message, span=span, fix_hint=hint)
