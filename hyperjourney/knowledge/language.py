"""The language a customer wrote in, detected offline with py3langid (its model ships in the wheel, ~4.6 MB).

Restricted to the languages the small tier answers in, so a short English ticket is not read as Latin; a text
too short or too mixed to tell falls back to what the caller knows (the customer's profile language). The
eval's language grader uses a different package (langdetect), so the check stays independent.
"""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from pydantic import BaseModel, Field

LANGUAGES = ("en", "de", "es", "fr")
MIN_PROBABILITY = 0.9
"""Below this the detector is unsure (a few words, mixed languages) and the fallback wins."""
MIN_LETTERS = 12
_NOISE = re.compile(r"\S*\d\S*|\S+@\S+|https?://\S+")


class DetectedLanguage(BaseModel):
    language: str = Field(description="ISO 639-1 code of the language the reply uses")
    probability: float = Field(ge=0, le=1, description="the detector's normalised probability (0: not detected)")
    source: str = Field(description="'text' when detected from the words, else where the fallback came from")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect(text: str, fallback: str = "en", *, fallback_source: str = "profile") -> DetectedLanguage:
    """The text's language among LANGUAGES, or ``fallback`` when the text is too short or the detector unsure.

    Order ids, amounts, e-mail addresses and links are left out first: they carry no language."""
    words = _NOISE.sub(" ", text)
    if sum(c.isalpha() for c in words) >= MIN_LETTERS:
        language, probability = _identifier().classify(words)
        if probability >= MIN_PROBABILITY:
            return DetectedLanguage(language=str(language), probability=round(float(probability), 4), source="text")
    known = fallback if fallback in LANGUAGES else "en"
    return DetectedLanguage(language=known, probability=0.0, source=fallback_source)
