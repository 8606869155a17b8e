"""Reading copy the way the validators need it: sentences with their [cite:<id>] markers, numbers, words."""

from __future__ import annotations

import re
from dataclasses import dataclass

CITE = re.compile(r"\[cite:\s*([^\]\s]+)\s*\]")
_MOVE_MARKERS = re.compile(r"([.!?])\s*((?:\[cite:[^\]]+\]\s*)+)")
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_PUNCT_SPACE = re.compile(r"[ \t]+([.!?,;:])")
NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,]*(?:\.\d+)?%?")
CONTENT_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]{2,}")
STOP = {
    "the",
    "and",
    "for",
    "you",
    "your",
    "with",
    "that",
    "this",
    "from",
    "are",
    "was",
    "our",
    "can",
    "has",
    "have",
    "will",
    "their",
    "they",
    "them",
    "its",
    "but",
    "not",
    "all",
    "any",
    "into",
    "than",
    "then",
    "also",
    "more",
    "per",
    "who",
    "what",
    "when",
    "how",
    "out",
    "get",
    "one",
    "about",
    "just",
    "via",
    "over",
    "been",
    "were",
}


@dataclass(frozen=True)
class Sentence:
    text: str  # without markers
    raw: str
    citations: tuple[str, ...]


def sentences(body: str) -> list[Sentence]:
    """Split into sentences; a marker written after the full stop still belongs to the sentence before it."""
    moved = _MOVE_MARKERS.sub(lambda m: f"{m.group(2).strip()}{m.group(1)} ", body)
    out: list[Sentence] = []
    for raw in _SPLIT.split(moved):
        raw = raw.strip()
        if not raw:
            continue
        ids = tuple(m.group(1) for m in CITE.finditer(raw))
        text = _PUNCT_SPACE.sub(r"\1", " ".join(CITE.sub(" ", raw).split()))
        if not text and out and ids:  # a line holding only markers cites the sentence above
            prev = out.pop()
            out.append(Sentence(prev.text, f"{prev.raw} {raw}", prev.citations + ids))
        elif text:
            out.append(Sentence(text, raw, ids))
    return out


def strip_markers(text: str) -> str:
    """The copy as the customer sees it (markers are removed before sending)."""
    return _PUNCT_SPACE.sub(r"\1", re.sub(r"[ \t]{2,}", " ", CITE.sub("", text))).strip()


def numbers(text: str) -> set[str]:
    """Numbers normalized for comparison: "$1,200" and "1200" match; "62%" and "62" do not need to."""
    return {n.lstrip("$€£").rstrip("%").replace(",", "").rstrip(".") for n in NUMBER.findall(text)}


def content_words(text: str) -> set[str]:
    return {_stem(w.lower()) for w in CONTENT_WORD.findall(text) if w.lower() not in STOP}


def _stem(w: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w
