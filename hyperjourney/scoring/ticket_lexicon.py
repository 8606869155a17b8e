"""Cue markers for the packaged ticket models: a token per hand-written cue (``ticket_lexicon.yaml``) a ticket hits.

A model fitted on a few phrasings per intent and language learns "lexrefund" from the stems it saw and then
reads the same marker from a stem it never saw in training ("reembols" in a Spanish ticket about a return).
Stems match at the start of a word, on lower-cased text without accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

import yaml

Lexicon = dict[str, list[str]]


def unaccent(text: str) -> str:
    """Lower case without accents: "Rückerstattung" → "ruckerstattung"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))


def packaged_lexicon() -> Lexicon:
    """The lexicon the packaged build copies into each artifact (run time reads the artifact's copy)."""
    loaded: Lexicon = yaml.safe_load(
        (resources.files("hyperjourney.scoring") / "ticket_lexicon.yaml").read_text(encoding="utf-8")
    )
    return {cue: [str(s) for s in stems] for cue, stems in loaded.items()}


@cache
def _patterns(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (cue, re.compile(r"(?<!\w)(" + "|".join(re.escape(unaccent(s)) for s in stems) + ")")) for cue, stems in frozen
    )


def cue_marker(cue: str) -> str:
    return f"lex{cue.replace('_', '')}"


def markers(text: str, lexicon: Lexicon) -> list[str]:
    """One ``lex<cue>`` token per cue whose stems occur in ``text``."""
    folded = unaccent(text)
    frozen = tuple((cue, tuple(stems)) for cue, stems in sorted(lexicon.items()))
    return [cue_marker(cue) for cue, pattern in _patterns(frozen) if pattern.search(folded)]
