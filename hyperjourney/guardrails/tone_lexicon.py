"""Per-language tone lexicons (prompts/tone_lexicon_<locale>): the words the tone check counts as formal, informal,
warm or cold, the address forms (du/Sie, tú/usted, tu/vous), greetings, closers and hedges.

One versioned file per language, read by the tone check (`guardrails.tone`) and by the campaign templates'
register (`agents.campaign_copy`), so German, Spanish and French copy is checked in its own words instead of an
English word list that finds nothing in it. A locale without a file reads English.
"""

from __future__ import annotations

import re
from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict, Field

from hyperjourney.prompts.loader import load

LOCALES = ("en", "de", "es", "fr")


class Lexicon(BaseModel):
    """One language's tone markers; single words are matched as tokens, phrases and hedges anywhere as words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    locale: str
    version: str = Field(description="The file's content hash")
    contractions: bool = Field(description='Apostrophe contractions (English "we\'re") read informal')
    address_case_sensitive: bool = Field(description="German: 'Sie' addresses the reader, 'sie' means 'they'")
    formal_address: frozenset[str]
    informal_address: frozenset[str]
    formal: frozenset[str]
    informal: frozenset[str]
    warm: frozenset[str]
    cold: frozenset[str]
    hedges: tuple[str, ...] = Field(description="Hedged, polite requests: they read formal")
    formal_phrases: tuple[str, ...] = Field(description="Formal greetings and closers ('Sehr geehrte', 'Cordialement')")
    informal_phrases: tuple[str, ...] = Field(description="Informal greetings and closers ('Liebe Grüße', 'Salut')")

    def address(self, tokens: list[str]) -> tuple[list[str], list[str]]:
        """The formal and the informal address words among ``tokens`` (original case)."""

        def hits(forms: frozenset[str]) -> list[str]:
            if self.address_case_sensitive:
                return [t for t in tokens if t in forms]
            low = {f.lower() for f in forms}
            return [t for t in tokens if t.lower() in low]

        return hits(self.formal_address), hits(self.informal_address)

    def phrases(self, text: str, side: str) -> list[str]:
        """Formal (hedges and formal phrases) or informal phrases found in ``text``, each as often as it occurs."""
        wanted = (*self.hedges, *self.formal_phrases) if side == "formal" else self.informal_phrases
        words = self.formal if side == "formal" else self.informal  # a word of the list is counted once, as a word
        low = text.lower()
        return [
            p for p in dict.fromkeys(wanted) if p not in words
            for _ in re.finditer(rf"(?<!\w){re.escape(p)}(?!\w)", low)
        ]  # fmt: skip


@cache
def lexicon(locale: str = "en") -> Lexicon:
    """The lexicon of ``locale`` (its language part: "de-AT" reads "de"); English for a language without one."""
    lang = locale.split("-")[0].lower()
    prompt = load(f"tone_lexicon_{lang if lang in LOCALES else 'en'}")
    data = yaml.safe_load(prompt.text)
    sets = ("formal_address", "informal_address", "formal", "informal", "warm", "cold")
    lowered = {k: frozenset(str(w).lower() for w in data[k]) for k in sets[2:]}
    return Lexicon(
        locale=lang if lang in LOCALES else "en", version=prompt.version,
        contractions=data["contractions"], address_case_sensitive=data["address_case_sensitive"],
        formal_address=frozenset(map(str, data["formal_address"])),
        informal_address=frozenset(map(str, data["informal_address"])),
        hedges=tuple(str(h).lower() for h in data["hedges"]),
        formal_phrases=tuple(str(p).lower() for p in data["formal_phrases"]),
        informal_phrases=tuple(str(p).lower() for p in data["informal_phrases"]),
        **lowered,
    )  # fmt: skip
