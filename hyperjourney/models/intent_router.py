"""The supervisor's small tier: a TF-IDF + logistic-regression intent router trained on packaged examples.

Trained in-process on first use (milliseconds; no download), it maps a marketer's request to the kind
of plan it needs; its probability is the confidence the router compares with the threshold.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_VERSION = "intent-router-tfidf-lr-1"


class IntentGuess(BaseModel):
    kind: str
    confidence: float
    runner_up: str


def examples() -> dict[str, list[str]]:
    text = (resources.files("hyperjourney.models") / "route_examples.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


@cache
def _model() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer  # seconds to import; only canvas routing needs it
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    data = examples()
    texts = [t for ts in data.values() for t in ts]
    labels = [k for k, ts in data.items() for _ in ts]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        LogisticRegression(C=20, max_iter=2000),
    )
    model.fit(texts, labels)
    return model


def classify(text: str) -> IntentGuess:
    model = _model()
    probs = model.predict_proba([text])[0]
    order = probs.argsort()[::-1]
    classes = model.classes_
    return IntentGuess(kind=str(classes[order[0]]), confidence=float(probs[order[0]]), runner_up=str(classes[order[1]]))
