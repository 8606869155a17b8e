"""Support-text classifiers: ticket intent and sentiment (TF-IDF word 1-2 grams + logistic regression).

Label sets (from the seeded tickets' labels): intent ∈ INTENTS, sentiment ∈ SENTIMENTS. A tenant's own
labelled tickets train its models (`hyperjourney models train`); a tenant without any gets the packaged
fallback: JSON parameters shipped beside this module (built by `python -m hyperjourney.scoring.packaged_text`
from the deterministic demo generator's tickets), so nothing is downloaded or trained at first use.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from hyperjourney.guardrails.pii import find_pii
from hyperjourney.scoring.schema import InsufficientDataError, Reason, TicketClassification

if TYPE_CHECKING:
    from hyperjourney.db.database import Database

INTENTS = [
    "account_access",
    "billing_question",
    "cancel_subscription",
    "complaint",
    "data_privacy",
    "praise",
    "product_question",
    "refund_request",
    "shipping_delay",
    "sizing_fit",
    "technical_issue",
    "upgrade_inquiry",
]
SENTIMENTS = ("very_negative", "negative", "neutral", "positive")
_SENTIMENT_VALUE = {"very_negative": -1.0, "negative": -0.5, "neutral": 0.0, "positive": 1.0}
_NGRAMS = (1, 2)
MIN_TICKETS = 60
FALLBACK_VERSION = "ticket_text@packaged-3"  # 3: shipped as parameters; vocabulary free of personal data
PACKAGED_PATH = Path(str(resources.files("hyperjourney.scoring") / "ticket_text.json"))
_WORD = re.compile(r"(?u)\b\w\w+\b")
# A vocabulary is stored with the model (model_versions): no term may hold a run of 4+ digits (card, IBAN, phone
# and order numbers), and personal data is replaced by its kind before tokenising.
_TOKEN = r"(?u)\b(?!\w*\d{4})\w\w+\b"


def scrub(text: str) -> str:
    """Lowercased ``text`` with each piece of personal data (email, card, IBAN, phone, address, password)
    replaced by its kind's name, so models learn "a card number was given", never the number."""
    out: list[str] = []
    pos = 0
    for m in find_pii(text):
        out += [text[pos : m.start], f" {m.kind} "]
        pos = m.end
    out.append(text[pos:])
    return "".join(out).lower()


class TextModel:
    """TF-IDF + linear classifier held as plain arrays (vocabulary, idf, weights)."""

    def __init__(self, artifact: dict[str, Any]) -> None:
        self.classes: list[str] = artifact["classes"]
        self.vocab: dict[str, int] = artifact["vocabulary"]
        self.terms = sorted(self.vocab, key=lambda t: self.vocab[t])
        self.idf = np.array(artifact["idf"])
        self.coef = np.array(artifact["coef"])
        self.intercept = np.array(artifact["intercept"])
        self._counter = CountVectorizer(
            vocabulary=self.vocab, ngram_range=_NGRAMS, preprocessor=scrub, token_pattern=_TOKEN
        )

    def tfidf(self, text: str) -> np.ndarray:
        counts = self._counter.transform([text]).toarray()[0].astype(float)
        x = np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0) * self.idf
        norm = np.linalg.norm(x)
        return np.asarray(x / norm if norm else x)

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = self.coef @ x + self.intercept
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum())

    def drivers(self, x: np.ndarray, cls: int, k: int = 3) -> list[tuple[str, float]]:
        parts = x * self.coef[cls]
        top = np.argsort(-parts)[:k]
        return [(self.terms[i], float(parts[i])) for i in top if parts[i] > 0]


def fit_text(texts: list[str], labels: list[str]) -> dict[str, Any]:
    vec = TfidfVectorizer(
        ngram_range=_NGRAMS, sublinear_tf=True, min_df=2, max_features=6000, preprocessor=scrub, token_pattern=_TOKEN
    )
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=8.0, max_iter=1000, tol=1e-3).fit(x, labels)
    coef, intercept = lr.coef_, lr.intercept_
    if len(lr.classes_) == 2:
        coef, intercept = np.vstack([-coef[0] / 2, coef[0] / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return {
        "classes": [str(c) for c in lr.classes_],
        "vocabulary": {t: int(i) for t, i in vec.vocabulary_.items()},
        "idf": vec.idf_.tolist(),
        "coef": np.round(coef, 5).tolist(),
        "intercept": intercept.tolist(),
    }


def _evaluate(artifact: dict[str, Any], train: list[tuple[str, str]], test: list[tuple[str, str]]) -> dict[str, Any]:
    model = TextModel(artifact)
    predicted = [model.classes[int(np.argmax(model.proba(model.tfidf(t))))] for t, _ in test]
    actual = [y for _, y in test]
    train_labels = [y for _, y in train]
    majority = max(sorted(set(train_labels)), key=train_labels.count)
    return {
        "n": len(test),
        "accuracy": float(accuracy_score(actual, predicted)),
        "macro_f1": float(f1_score(actual, predicted, average="macro", zero_division=0)),
        "baseline_accuracy": float(accuracy_score(actual, [majority] * len(actual))),
        "baseline_macro_f1": float(f1_score(actual, [majority] * len(actual), average="macro", zero_division=0)),
        "baseline": f"the most common label ({majority})",
    }


def train_on(rows: list[tuple[str, str, str]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """rows: (text, intent, sentiment) in time order. Fit on the earlier 80%, judge on the later 20%."""
    if len(rows) < MIN_TICKETS:
        raise InsufficientDataError(
            f"too little data to train the ticket classifiers: {len(rows)} labelled tickets (need {MIN_TICKETS})"
        )
    split = int(len(rows) * 0.8)
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for name, col, labels in (("ticket_intent", 1, INTENTS), ("ticket_sentiment", 2, SENTIMENTS)):
        pairs = [(r[0], r[col]) for r in rows]
        if len({y for _, y in pairs[:split]}) < 2:
            raise InsufficientDataError(f"too little data to train {name}: the labelled tickets have only one label")
        artifact = fit_text([p[0] for p in pairs[:split]], [p[1] for p in pairs[:split]])
        quality = _evaluate(artifact, pairs[:split], pairs[split:])
        quality["labels"] = list(labels)
        quality["beats_baseline"] = bool(quality["macro_f1"] > quality["baseline_macro_f1"])
        quality["description"] = f"{name.removeprefix('ticket_')} of the customer's first message (subject + body)"
        artifact["auc"] = quality["accuracy"]
        out[name] = (artifact, quality)
    return out


def labelled_tickets(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT t.subject || E'\\n' || m.body, t.labels->>'intent', t.labels->>'sentiment' "
        "FROM tickets t JOIN LATERAL (SELECT body FROM messages WHERE ticket_id = t.ticket_id AND author = 'customer' "
        "ORDER BY sent_at LIMIT 1) m ON true "
        "WHERE t.labels->>'intent' = ANY(%s) AND t.labels->>'sentiment' = ANY(%s) ORDER BY t.opened_at, t.ticket_id",
        (list(INTENTS), list(SENTIMENTS)),
    ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def train_text_models(conn: psycopg.Connection[Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    return train_on(labelled_tickets(conn))


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    if not PACKAGED_PATH.is_file():
        raise FileNotFoundError(
            f"the packaged ticket classifier is missing ({PACKAGED_PATH}); "
            "rebuild it with `python -m hyperjourney.scoring.packaged_text`"
        )
    loaded: dict[str, Any] = json.loads(PACKAGED_PATH.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def packaged_models() -> tuple[TextModel, TextModel]:
    """The fallback for tenants without labels: parameters shipped in the package, so nothing trains at first use."""
    data = _packaged()
    return TextModel(data["ticket_intent"]["artifact"]), TextModel(data["ticket_sentiment"]["artifact"])


def packaged_quality(name: str) -> dict[str, Any]:
    """The packaged model's accuracy on the project's held-out tickets (measured when it was built)."""
    metrics: dict[str, Any] = _packaged()[name]["metrics"]
    return metrics


_TENANT_CACHE: dict[tuple[str, str, int], TextModel] = {}


def _tenant_models(db: Database, tenant: str) -> tuple[TextModel, TextModel, str] | None:
    from hyperjourney.scoring import registry

    with db.tenant(tenant) as conn:
        active = registry.active_versions(conn)
        if "ticket_intent" not in active or "ticket_sentiment" not in active:
            return None
        models = []
        for name in ("ticket_intent", "ticket_sentiment"):
            key = (tenant, name, active[name])
            if key not in _TENANT_CACHE:
                found = registry.get(conn, name, active[name])
                assert found is not None and found.artifact is not None
                _TENANT_CACHE[key] = TextModel(found.artifact)
            models.append(_TENANT_CACHE[key])
    label = f"ticket_intent@v{active['ticket_intent']}+ticket_sentiment@v{active['ticket_sentiment']}"
    return models[0], models[1], label


def classify_ticket(text: str, *, db: Database | None = None, tenant: str | None = None) -> TicketClassification:
    """Intent and sentiment of one message, with the words that drove them; low confidence on unknown text."""
    found = _tenant_models(db, tenant) if db is not None and tenant is not None else None
    if found is None:
        intent_model, sentiment_model = packaged_models()
        version = FALLBACK_VERSION
    else:
        intent_model, sentiment_model, version = found
    xi, xs = intent_model.tfidf(text), sentiment_model.tfidf(text)
    pi, ps = intent_model.proba(xi), sentiment_model.proba(xs)
    ii, si = int(np.argmax(pi)), int(np.argmax(ps))
    intent, sentiment = intent_model.classes[ii], sentiment_model.classes[si]
    score = float(sum(p * _SENTIMENT_VALUE[c] for p, c in zip(ps, sentiment_model.classes, strict=True)))
    reasons = [
        Reason(feature="text", text=f'mentions "{term}" (intent {intent})', direction="+", size=round(w, 3))
        for term, w in intent_model.drivers(xi, ii)
    ] + [
        Reason(feature="text", text=f'says "{term}" (sentiment {sentiment})', direction="+", size=round(w, 3))
        for term, w in sentiment_model.drivers(xs, si, k=2)
    ]
    confidence = min(float(pi[ii]), float(ps[si]))
    known = len(_WORD.findall(text.lower()))
    if not xi.any():
        confidence = min(confidence, 0.1)
        reasons.insert(
            0,
            Reason(
                feature="text",
                text="no words the model knows" if known else "empty or too short to classify",
                direction="-",
                size=1.0,
            ),
        )
    return TicketClassification(
        intent=intent,
        intent_confidence=round(float(pi[ii]), 4),
        sentiment=sentiment,
        sentiment_score=round(max(-1.0, min(1.0, score)), 4),
        confidence=round(confidence, 4),
        reasons=reasons,
        model_version=version,
    )
