"""The supervisor's small tier: a TF-IDF + logistic-regression intent router trained on packaged examples.

Trained in-process on first use (a fraction of a second; no download), it maps a marketer's request to the kind of
plan it needs. Words (and word pairs) carry the intent, the leading words most of all (a goal starts with what to
achieve, "Book…", "Write…", "Which…"), character n-grams catch inflections and typos. Classes are weighted
evenly so the largest class does not win by default. Its confidence is the class probability, scaled down when few
of the request's content words were ever seen in training: a request the router has no vocabulary for ("banana")
is not a confident campaign just because campaign is the largest class, so the router asks the next tier or a
person instead. That raw score then goes through an isotonic calibration table fitted on out-of-fold scores of the
examples (`models.route_calibration`, shipped as JSON), so the confidence is the probability the plan is right.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, Field

from hyperjourney.models.calibration import CalibrationTable

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_VERSION = "intent-router-tfidf-lr-4-isotonic"
CALIBRATION_FILE = "route_calibration.json"
# below this share of known content words the confidence shrinks in proportion
KNOWN_WORDS_FOR_FULL_CONFIDENCE = 0.3
_WORD = re.compile(r"[a-z][a-z'-]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "than",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "us",
        "we",
        "with",
        "who",
        "your",
        "you",
    ]
)


class IntentGuess(BaseModel):
    kind: str
    confidence: float = Field(description="P(kind is right): the raw score through the shipped calibration table")
    raw_score: float
    runner_up: str
    known_words: float


def examples() -> dict[str, list[str]]:
    text = (resources.files("hyperjourney.models") / "route_examples.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


@cache
def _vocabulary() -> frozenset[str]:
    return frozenset(w for texts in examples().values() for t in texts for w in content_words(t))


def leading_words(text: str) -> list[str]:
    """The first content word and the first two, as their own features: the verb that says what is wanted."""
    words = content_words(text)
    return [f"lead:{words[0]}", f"lead2:{' '.join(words[:2])}"] if words else []


def pipeline() -> Pipeline:
    """The router's model, unfitted (the calibration fits one per fold on the examples it does not score)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # seconds to import; only canvas routing needs it
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
            TfidfVectorizer(analyzer=leading_words),
        ),
        LogisticRegression(C=20, max_iter=3000, class_weight="balanced"),
    )


@cache
def _model() -> Pipeline:
    data = examples()
    model = pipeline()
    model.fit([t for ts in data.values() for t in ts], [k for k, ts in data.items() for _ in ts])
    return model


def raw_score(probability: float, known: float) -> float:
    """The top class's probability, scaled down when few of the request's content words were seen in training."""
    return probability * min(1.0, known / KNOWN_WORDS_FOR_FULL_CONFIDENCE)


@cache
def calibration() -> CalibrationTable:
    text = (resources.files("hyperjourney.models") / CALIBRATION_FILE).read_text(encoding="utf-8")
    return CalibrationTable.model_validate_json(text)


def known_share(text: str) -> float:
    """Share of the request's content words that occur in the training examples (0 for an empty request)."""
    words = content_words(text)
    vocabulary = _vocabulary()
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0


def classify(text: str) -> IntentGuess:
    model = _model()
    probs = model.predict_proba([text])[0]
    order = probs.argsort()[::-1]
    classes = model.classes_
    known = known_share(text)
    raw = raw_score(float(probs[order[0]]), known)
    return IntentGuess(
        kind=str(classes[order[0]]), confidence=calibration().apply(raw), raw_score=raw,
        runner_up=str(classes[order[1]]), known_words=known,
    )  # fmt: skip
