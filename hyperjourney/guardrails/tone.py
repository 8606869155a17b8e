"""Tone attributes and a lexicon-based estimator, plus a Flesch-Kincaid reading grade.

Deliberately simple and deterministic: it only has to tell "formal and distant" from "casual and warm"
well enough to catch copy that drifted from the requested tone, with no model download. The words it counts are
the copy's own language's (`tone_lexicon`): German, Spanish and French copy is read in German, Spanish and
French, and addressing the reader informally (du, tú, tu) lowers formality where the formal address would not.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from hyperjourney.guardrails.tone_lexicon import lexicon

_WORD = re.compile(r"[A-Za-zÀ-ÿœŒ']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")
_CONTRACTION = re.compile(r"\b\w+'(?:s|re|ve|ll|d|m|t)\b", re.IGNORECASE)
NEUTRAL_FORMALITY = 0.55
"""Formality of copy with no marker: the formal address (Sie, usted, vous) is the brands' default, so it stays here"""
INFORMAL_ADDRESS_FORMALITY = 0.3
"""Formality of copy that addresses the reader only informally (du, tú, tu), before its other markers"""


class ToneAttributes(BaseModel):
    """Requested or estimated tone, each 0 (low) .. 1 (high)."""

    formality: float = Field(ge=0, le=1)
    warmth: float = Field(ge=0, le=1)
    brevity: float = Field(ge=0, le=1)


# brand-voice.md "Channel settings" (1..5 scales); Ledger copy adds 1 to formality on every channel.
BRAND_VOICE: dict[str, tuple[int, int, int]] = {
    "email": (3, 4, 3),
    "sms": (2, 4, 5),
    "in_app": (2, 4, 4),
    "support_reply": (3, 4, 4),
    "ad_copy": (2, 4, 5),
}


def brand_tone(kind: str, *, ledger: bool = False) -> ToneAttributes:
    """The requested tone for a channel from the brand voice table, mapped from 1..5 onto 0..1."""
    formality, warmth, brevity = BRAND_VOICE[kind]
    formality = min(formality + ledger, 5)
    return ToneAttributes(formality=(formality - 1) / 4, warmth=(warmth - 1) / 4, brevity=(brevity - 1) / 4)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_ENGLISH = frozenset(("the", "and", "you", "your", "is", "are", "of", "for", "we", "our", "to", "this", "that",
                      "with", "if", "here", "what", "can", "will", "it"))  # fmt: skip
ENGLISH_SHARE = 0.08
"""Share of English function words above which a text reads as English: an English reply runs at 0.2-0.35, a
German, Spanish or French one near 0 (none of these words is a word in those languages)."""


def reads_english(text: str) -> bool:
    """Whether the lexicons here can read the text at all: their words, and the Flesch-Kincaid grade, are English."""
    tokens = [w.lower() for w in words(text)]
    return bool(tokens) and sum(t in _ENGLISH for t in tokens) / len(tokens) >= ENGLISH_SHARE


def estimate_tone(text: str, locale: str = "en") -> ToneAttributes:
    """Formality, warmth and brevity of ``text``, counting the markers of ``locale``'s lexicon."""
    lex = lexicon(locale)
    raw = words(text)
    tokens = [w.lower() for w in raw]
    n = max(len(tokens), 1)
    sentences = max(len([s for s in _SENTENCE_END.split(text) if s.strip()]), 1)
    formal = sum(t in lex.formal for t in tokens) + len(lex.phrases(text, "formal"))
    informal = sum(t in lex.informal for t in tokens) + len(lex.phrases(text, "informal")) + text.count("!")
    informal += len(_CONTRACTION.findall(text)) if lex.contractions else 0
    polite, familiar = lex.address(raw)
    base = INFORMAL_ADDRESS_FORMALITY if familiar and not polite else NEUTRAL_FORMALITY
    formality = _clamp(base + 6 * (formal - informal) / n)
    warm = sum(t in lex.warm for t in tokens)
    cold = sum(t in lex.cold for t in tokens)
    warmth = _clamp(0.25 + 5 * (warm - cold) / n)
    per_sentence = len(tokens) / sentences
    # calibrated on brand-voice.md: a 75-150 word email in 12-18 word sentences is brevity 3 of 5 (0.5)
    brevity = _clamp(0.5 * (1 - min(per_sentence / 25, 1)) + 0.5 * (1 - min(len(tokens) / 220, 1)))
    return ToneAttributes(formality=round(formality, 3), warmth=round(warmth, 3), brevity=round(brevity, 3))


def tone_words(text: str, attr: str, side: str, locale: str = "en") -> list[str]:
    """The words of ``text`` that push ``attr`` to ``side`` ("high"/"low") in :func:`estimate_tone`, in order
    and once each, so a refusal can name them (an informal address among them); brevity comes from sentence
    length, not words (empty)."""
    lex = lexicon(locale)
    if attr == "brevity":
        return []
    raw = words(text)
    if attr == "warmth":
        found = [w for w in raw if w.lower() in (lex.warm if side == "high" else lex.cold)]
    elif side == "high":
        found = [w for w in raw if w.lower() in lex.formal] + lex.phrases(text, "formal")
    else:
        contraction = (lambda w: bool(_CONTRACTION.fullmatch(w))) if lex.contractions else (lambda _w: False)
        found = [w for w in raw if w.lower() in lex.informal or contraction(w)] + lex.address(raw)[1]
        found += lex.phrases(text, "informal") + (["!"] if "!" in text else [])
    once: dict[str, str] = {}
    for w in found:
        once.setdefault(w.lower(), w)
    return list(once.values())


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level (US school grade)."""
    tokens = words(text)
    if not tokens:
        return 0.0
    sentences = max(len([s for s in _SENTENCE_END.split(text) if words(s)]), 1)
    syllables = sum(_syllables(w) for w in tokens)
    return round(0.39 * len(tokens) / sentences + 11.8 * syllables / len(tokens) - 15.59, 2)


def _syllables(word: str) -> int:
    w = word.lower().strip("'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(len(re.findall(r"[aeiouy]{1,2}", w)), 1)


def _clamp(x: float) -> float:
    return min(max(x, 0.0), 1.0)
