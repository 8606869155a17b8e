"""Tone attributes and a lexicon-based estimator, plus a Flesch-Kincaid reading grade.

Deliberately simple and deterministic: it only has to tell "formal and distant" from "casual and warm"
well enough to catch copy that drifted from the requested tone, with no model download.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_WORD = re.compile(r"[A-Za-zÀ-ÿ']+")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")
_CONTRACTION = re.compile(r"\b\w+'(?:s|re|ve|ll|d|m|t)\b", re.IGNORECASE)
FORMAL = {
    "please",
    "kindly",
    "regarding",
    "sincerely",
    "dear",
    "therefore",
    "however",
    "furthermore",
    "accordingly",
    "request",
    "ensure",
    "assist",
    "provide",
    "receive",
    "additional",
    "inform",
    "require",
    "required",
    "regards",
    "respectfully",
    "pursuant",
    "purchase",
    "subsequently",
    "approximately",
    "currently",
}
INFORMAL = {
    "hey",
    "awesome",
    "cool",
    "gonna",
    "wanna",
    "yeah",
    "yep",
    "super",
    "stuff",
    "folks",
    "lol",
    "btw",
    "thx",
    "hi",
    "grab",
    "check",
    "totally",
    "amazing",
    "ok",
    "okay",
    "guys",
}
WARM = {
    "you",
    "your",
    "thanks",
    "thank",
    "glad",
    "happy",
    "sorry",
    "appreciate",
    "welcome",
    "love",
    "enjoy",
    "hope",
    "together",
    "help",
    "understand",
    "care",
    "great",
    "we're",
    "you're",
    "hi",
    "hello",
}
COLD = {"must", "failure", "required", "mandatory", "prohibited", "violation", "denied", "policy", "per"}


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


def estimate_tone(text: str) -> ToneAttributes:
    tokens = [w.lower() for w in words(text)]
    n = max(len(tokens), 1)
    sentences = max(len([s for s in _SENTENCE_END.split(text) if s.strip()]), 1)
    formal = sum(t in FORMAL for t in tokens)
    informal = sum(t in INFORMAL for t in tokens) + len(_CONTRACTION.findall(text)) + text.count("!")
    formality = _clamp(0.55 + 6 * (formal - informal) / n)
    warm = sum(t in WARM for t in tokens)
    cold = sum(t in COLD for t in tokens)
    warmth = _clamp(0.25 + 5 * (warm - cold) / n)
    per_sentence = len(tokens) / sentences
    # calibrated on brand-voice.md: a 75-150 word email in 12-18 word sentences is brevity 3 of 5 (0.5)
    brevity = _clamp(0.5 * (1 - min(per_sentence / 25, 1)) + 0.5 * (1 - min(len(tokens) / 220, 1)))
    return ToneAttributes(formality=round(formality, 3), warmth=round(warmth, 3), brevity=round(brevity, 3))


def tone_words(text: str, attr: str, side: str) -> list[str]:
    """The words of ``text`` that push ``attr`` to ``side`` ("high"/"low") in :func:`estimate_tone`, in order
    and once each, so a refusal can name them; brevity comes from sentence length, not words (empty)."""
    lexicon = {("warmth", "high"): WARM, ("warmth", "low"): COLD, ("formality", "high"): FORMAL}.get((attr, side))
    found: list[str] = []
    for word in words(text):
        low = word.lower()
        hit = (
            low in lexicon
            if lexicon is not None
            else (attr == "formality" and side == "low" and (low in INFORMAL or bool(_CONTRACTION.fullmatch(word))))
        )
        if hit and low not in [f.lower() for f in found]:
            found.append(word)
    if attr == "formality" and side == "low" and "!" in text:
        found.append("!")
    return found


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
