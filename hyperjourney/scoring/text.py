"""Support-text classifiers: ticket intent and sentiment (TF-IDF word 1-2 grams + logistic regression).

The packaged fallback knows the demo's intents (INTENTS) and SENTIMENTS; it is trained on tickets from the
deterministic demo generator and shipped as JSON parameters beside this module (built by
`python -m hyperjourney.scoring.packaged_text`), so nothing is downloaded or trained at first use. A tenant's
own labelled tickets train its own models (`hyperjourney models train ticket_intent`): intent learns
whatever labels the tenant uses (its taxonomy), sentiment is optional, and every label training could not
use is counted in the report.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import psycopg
from pydantic import BaseModel
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from hyperjourney.guardrails.pii import find_pii
from hyperjourney.guardrails.tone_policy import situation_for
from hyperjourney.scoring import registry, taxonomy
from hyperjourney.scoring.schema import InsufficientDataError, ModelSource, Reason, TicketClassification
from hyperjourney.scoring.ticket_clean import customer_words
from hyperjourney.scoring.ticket_lexicon import Lexicon, cue_marker, markers

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
_CHARS = (2, 5)
MIN_TICKETS = 60
FALLBACK_VERSION = "ticket_text@packaged-4"  # 4: own words, word + char n-grams, calibrated, four languages
PACKAGED_PATH = Path(str(resources.files("hyperjourney.scoring") / "ticket_text.json"))
_WORD = re.compile(r"(?u)\b\w\w+\b")
# A vocabulary is stored with the model (model_versions): no term may hold a run of 4+ digits (card, IBAN, phone
# and order numbers), and personal data is replaced by its kind before tokenising.
_TOKEN = r"(?u)\b(?!\w*\d{4})\w\w+\b"


def fold(text: str) -> str:
    """``scrub`` without accents, for character n-grams: "écrit"/"ecrit" and "Grüße"/"Gruße" look alike."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", scrub(text)) if not unicodedata.combining(ch))


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
    """TF-IDF + linear classifier held as plain arrays (vocabulary, idf, weights).

    An artifact may add a character n-gram block (``char_vocabulary``: robust to typos, inflection and the
    four languages), reading only the customer's own words (``clean``), and a calibration ``temperature`` with
    the ``ambiguous_margin`` below which the top two classes count as a tie; older artifacts have none of these.
    """

    def __init__(self, artifact: dict[str, Any]) -> None:
        self.classes: list[str] = artifact["classes"]
        self.vocab: dict[str, int] = artifact["vocabulary"]
        self.idf = np.array(artifact["idf"])
        self.coef = np.array(artifact["coef"])
        self.intercept = np.array(artifact["intercept"])
        self.clean = bool(artifact.get("clean", False))
        self.lexicon: Lexicon = artifact.get("lexicon") or {}
        self.temperature = float(artifact.get("temperature", 1.0))
        self.ambiguous_margin = float(artifact.get("ambiguous_margin", 0.0))
        self._counter = CountVectorizer(
            vocabulary=self.vocab, ngram_range=_NGRAMS, preprocessor=scrub, token_pattern=_TOKEN
        )
        char_vocab: dict[str, int] = artifact.get("char_vocabulary") or {}
        self._chars = (
            CountVectorizer(vocabulary=char_vocab, analyzer="char_wb", ngram_range=_CHARS, preprocessor=fold)
            if char_vocab
            else None
        )
        self.char_idf = np.array(artifact.get("char_idf", []))
        self.terms = sorted(self.vocab, key=lambda t: self.vocab[t])

    @staticmethod
    def _block(counter: CountVectorizer, idf: np.ndarray, text: str) -> np.ndarray:
        counts = counter.transform([text]).toarray()[0].astype(float)
        x = np.where(counts > 0, 1.0 + np.log(np.maximum(counts, 1.0)), 0.0) * idf
        norm = np.linalg.norm(x)
        return np.asarray(x / norm if norm else x)

    def tfidf(self, text: str) -> np.ndarray:
        """Word block, then the character block where the model has one (each unit length, as in training)."""
        if self.clean:
            text = customer_words(text)
        blocks = [self._block(self._counter, self.idf, text)]
        if self._chars is not None:
            blocks.append(self._block(self._chars, self.char_idf, text))
        if self.lexicon:
            blocks.append(_cue_block(text, self.lexicon))
        return np.concatenate(blocks)

    def knows_words(self, x: np.ndarray) -> bool:
        """Whether any word (not only character pieces) of the text is in the vocabulary."""
        return bool(x[: len(self.vocab)].any())

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = (self.coef @ x + self.intercept) / self.temperature
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum())

    def drivers(self, x: np.ndarray, cls: int, k: int = 3) -> list[tuple[str, float]]:
        """The words (character pieces explain nothing to a person) that pushed hardest towards ``cls``."""
        n = len(self.vocab)
        parts = x[:n] * self.coef[cls][:n]
        top = np.argsort(-parts)[:k]
        return [(self.terms[i], float(parts[i])) for i in top if parts[i] > 0]


def _cue_block(text: str, lexicon: Lexicon) -> np.ndarray:
    """1 for each lexicon cue (sorted by name) the text hits: a block of its own, so twenty template words in a
    long ticket cannot dilute it the way they dilute one token in the word block."""
    hit = set(markers(text, lexicon))
    return np.array([1.0 if cue_marker(c) in hit else 0.0 for c in sorted(lexicon)])


def fit_text(
    texts: list[str],
    labels: list[str],
    *,
    chars: int = 0,
    words: int = 6000,
    clean: bool = False,
    lexicon: Lexicon | None = None,
    balanced: bool = False,
    c: float = 8.0,
) -> dict[str, Any]:
    """Word 1-2 grams (+ ``chars`` character 2-5 grams when > 0, + cue markers of ``lexicon``) and a logistic
    regression, as plain arrays."""
    if clean:
        texts = [customer_words(t) for t in texts]
    vec = TfidfVectorizer(
        ngram_range=_NGRAMS, sublinear_tf=True, min_df=2, max_features=words, preprocessor=scrub, token_pattern=_TOKEN
    )
    x = vec.fit_transform(texts)
    char_vec = None
    if chars:
        char_vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=_CHARS, sublinear_tf=True, min_df=3, max_features=chars, preprocessor=fold
        )
        x = hstack([x, char_vec.fit_transform(texts)]).tocsr()
    if lexicon:
        x = hstack([x, csr_matrix(np.array([_cue_block(t, lexicon) for t in texts]))]).tocsr()
    lr = LogisticRegression(C=c, max_iter=2000, tol=1e-3, class_weight="balanced" if balanced else None).fit(x, labels)
    coef, intercept = lr.coef_, lr.intercept_
    if len(lr.classes_) == 2:
        coef, intercept = np.vstack([-coef[0] / 2, coef[0] / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    out: dict[str, Any] = {
        "classes": [str(c) for c in lr.classes_],
        "vocabulary": {t: int(i) for t, i in vec.vocabulary_.items()},
        "idf": vec.idf_.tolist(),
        "coef": np.round(coef, 5).tolist(),
        "intercept": intercept.tolist(),
    }
    if char_vec is not None:
        out["char_vocabulary"] = {t: int(i) for t, i in char_vec.vocabulary_.items()}
        out["char_idf"] = char_vec.idf_.tolist()
    if clean:
        out["clean"] = True
    if lexicon:
        out["lexicon"] = lexicon
    return out


def predict(model: TextModel, texts: list[str]) -> list[str]:
    """The most probable class of each text."""
    return [model.classes[int(np.argmax(model.proba(model.tfidf(t))))] for t in texts]


def holdout_quality(actual: list[str], predicted: list[str], train_labels: list[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 on a hold-out beside the most common training label's (the baseline)."""
    majority = max(sorted(set(train_labels)), key=train_labels.count)
    return {
        "n": len(actual),
        "accuracy": float(accuracy_score(actual, predicted)),
        "macro_f1": float(f1_score(actual, predicted, average="macro", zero_division=0)),
        "baseline_accuracy": float(accuracy_score(actual, [majority] * len(actual))),
        "baseline_macro_f1": float(f1_score(actual, [majority] * len(actual), average="macro", zero_division=0)),
        "baseline": f"the most common label ({majority})",
    }


def _evaluate(artifact: dict[str, Any], train: list[tuple[str, str]], test: list[tuple[str, str]]) -> dict[str, Any]:
    predicted = predict(TextModel(artifact), [t for t, _ in test])
    return holdout_quality([y for _, y in test], predicted, [y for _, y in train])


class LabelledTicket(NamedTuple):
    """A customer's first message with the tenant's own labels (sentiment None where not given or unknown)."""

    text: str
    intent: str
    sentiment: str | None
    ticket_id: str


class LabelCounts(BaseModel):
    """What the tenant's labels gave training, and every label it could not use."""

    tickets: int  # tickets with a customer message
    labelled_without_message: int = 0  # tickets with an intent but no customer message to learn from
    with_intent: int
    without_intent: int
    with_sentiment: int
    unknown_sentiment: dict[str, int]  # sentiment values outside SENTIMENTS, dropped from sentiment training


def labelled_pairs(rows: list[LabelledTicket], name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(ticket ids, (text, label)) a text model learns from: every intent, sentiment only where labelled."""
    if name == "ticket_intent":
        chosen = [(r.ticket_id, r.text, r.intent) for r in rows]
    else:
        chosen = [(r.ticket_id, r.text, r.sentiment) for r in rows if r.sentiment is not None]
    return [i for i, _, _ in chosen], [(t, y) for _, t, y in chosen]


def split(labels: list[str], share: float = 0.2) -> tuple[list[int], list[int]]:
    """Time-aware, stratified: per label, its latest ``share`` of rows (in time order) are held out.

    A label with one row stays in training only; every held-out label also has earlier training rows, so a
    file sorted by label cannot hide most classes from training as a global earliest-80% cut does.
    """
    by_label: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by_label.setdefault(y, []).append(i)
    train: list[int] = []
    held: list[int] = []
    for rows in by_label.values():
        n_held = 0 if len(rows) < 2 else min(len(rows) - 1, max(1, round(len(rows) * share)))
        train += rows[: len(rows) - n_held]
        held += rows[len(rows) - n_held :]
    return sorted(train), sorted(held)


def _train_one(
    name: str, pairs: list[tuple[str, str]], previous: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Judge a fit on the stratified hold-out, against the majority class and the active version; refit on all."""
    labels = [y for _, y in pairs]
    if len(set(labels)) < 2:
        raise InsufficientDataError(f"too little data to train {name}: the labelled tickets have only one label")
    tr, te = split(labels)
    train, test = [pairs[i] for i in tr], [pairs[i] for i in te]
    quality = _evaluate(fit_text([t for t, _ in train], [y for _, y in train]), train, test)
    trained_on, held_out = {y for _, y in train}, {y for _, y in test}
    quality["labels"] = sorted(set(labels))
    quality["split"] = "per label, its latest 20% held out (time order); a label with one ticket trains only"
    quality["train_n"] = len(train)
    quality["classes_missing_from_training"] = sorted(held_out - trained_on)
    quality["classes_missing_from_validation"] = sorted(trained_on - held_out)
    quality["beats_baseline"] = bool(
        quality["accuracy"] > quality["baseline_accuracy"] and quality["macro_f1"] > quality["baseline_macro_f1"]
    )
    if previous is not None:
        before = _evaluate(previous, train, test)
        quality["previous_accuracy"] = before["accuracy"]
        quality["beats_previous"] = bool(quality["accuracy"] >= before["accuracy"])
    else:
        quality["beats_previous"] = True
    quality["activate"] = bool(quality["beats_baseline"] and quality["beats_previous"])
    quality["description"] = f"{name.removeprefix('ticket_')} of the customer's first message (subject + body)"
    artifact = fit_text([t for t, _ in pairs], labels)  # the stored model learns from every labelled ticket
    artifact["auc"] = quality["accuracy"]
    return artifact, quality


def train_on(
    rows: list[LabelledTicket],
    counts: LabelCounts | None = None,
    previous: dict[str, dict[str, Any]] | None = None,
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """rows in time order. Intent learns the tenant's own labels; sentiment trains only where labelled.

    ``previous``: the active artifacts by model name, judged on the same hold-out; a new version is marked
    for activation (``quality["activate"]``) only when it beats that and the most-common-label baseline.
    """
    if len(rows) < MIN_TICKETS:
        extra = ""
        if counts is not None and (counts.without_intent or counts.labelled_without_message):
            extra = (
                f"; {counts.without_intent} tickets have no intent label and {counts.labelled_without_message} "
                "labelled tickets have no customer message"
            )
        raise InsufficientDataError(
            f"too little data to train the ticket classifiers: {len(rows)} tickets with an intent label and a "
            f"customer message (need {MIN_TICKETS}){extra}"
        )
    previous = previous or {}
    out = {
        "ticket_intent": _train_one(
            "ticket_intent", labelled_pairs(rows, "ticket_intent")[1], previous.get("ticket_intent")
        )
    }
    sentiment = labelled_pairs(rows, "ticket_sentiment")[1]
    if len(sentiment) >= MIN_TICKETS and len({y for _, y in sentiment}) >= 2:
        out["ticket_sentiment"] = _train_one("ticket_sentiment", sentiment, previous.get("ticket_sentiment"))
    else:
        out["ticket_intent"][1]["sentiment_skipped"] = (
            f"{len(sentiment)} tickets with a sentiment among {', '.join(SENTIMENTS)} (need {MIN_TICKETS}, "
            "with at least 2 values); the packaged sentiment model stays in use"
        )
    if counts is not None:
        out["ticket_intent"][1]["label_counts"] = counts.model_dump()
    return out


_FIRST_MESSAGES = (
    "SELECT t.subject || E'\\n' || m.body, nullif(btrim(t.labels->>'intent'), ''), t.labels->>'sentiment', "
    "t.ticket_id "
    "FROM tickets t LEFT JOIN LATERAL (SELECT body FROM messages WHERE ticket_id = t.ticket_id "
    "AND author = 'customer' ORDER BY sent_at LIMIT 1) m ON true ORDER BY t.opened_at, t.ticket_id"
)


def labelled_tickets(conn: psycopg.Connection[Any]) -> list[LabelledTicket]:
    """Every ticket the tenant labelled with an intent (any label: the tenant's taxonomy), in time order."""
    return _read_labelled(conn)[0]


def _read_labelled(conn: psycopg.Connection[Any]) -> tuple[list[LabelledTicket], LabelCounts]:
    rows = conn.execute(_FIRST_MESSAGES).fetchall()
    unknown: dict[str, int] = {}
    out: list[LabelledTicket] = []
    no_message = 0
    for text, intent, sentiment, ticket_id in rows:
        if text is None:  # a ticket without a customer message: nothing to learn from
            no_message += intent is not None
            continue
        if sentiment is not None and sentiment not in SENTIMENTS:
            unknown[str(sentiment)] = unknown.get(str(sentiment), 0) + 1
            sentiment = None
        if intent is not None:
            out.append(LabelledTicket(str(text), str(intent), sentiment, str(ticket_id)))
    with_text = sum(1 for r in rows if r[0] is not None)
    counts = LabelCounts(
        tickets=with_text,
        with_intent=len(out),
        without_intent=with_text - len(out),
        labelled_without_message=no_message,
        with_sentiment=sum(1 for r in out if r.sentiment is not None),
        unknown_sentiment=unknown,
    )
    return out, counts


def train_text_models(conn: psycopg.Connection[Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Fit on the tenant's labels; each result says (``activate``) whether it should replace the active one."""
    rows, counts = _read_labelled(conn)
    previous = {}
    for name in ("ticket_intent", "ticket_sentiment"):
        found = registry.get(conn, name)
        if found is not None and found.artifact is not None:
            previous[name] = found.artifact
    return train_on(rows, counts, previous)


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


@lru_cache(maxsize=1)
def stakes_model() -> TextModel:
    """Whether a ticket is high stakes (money not arriving, failed payment, someone else in the account, safety,
    bereavement): packaged only, since tenants label intents and moods, not situations."""
    return TextModel(_packaged()["ticket_stakes"]["artifact"])


def packaged_quality(name: str) -> dict[str, Any]:
    """The packaged model's accuracy on the project's held-out tickets (measured when it was built)."""
    metrics: dict[str, Any] = _packaged()[name]["metrics"]
    return metrics


_TENANT_CACHE: dict[tuple[str, str, int], TextModel] = {}


def _tenant_model(conn: psycopg.Connection[Any], tenant: str, name: str, version: int) -> TextModel:
    key = (tenant, name, version)
    if key not in _TENANT_CACHE:
        found = registry.get(conn, name, version)
        assert found is not None and found.artifact is not None
        _TENANT_CACHE[key] = TextModel(found.artifact)
    return _TENANT_CACHE[key]


def _models(db: Database | None, tenant: str | None) -> tuple[TextModel, TextModel, str, ModelSource]:
    """The tenant's active models where it has them (sentiment may stay packaged), else the packaged ones."""
    packaged_intent, packaged_sentiment = packaged_models()
    if db is None or tenant is None:
        return packaged_intent, packaged_sentiment, FALLBACK_VERSION, "packaged"
    with db.tenant(tenant) as conn:
        active = registry.active_versions(conn)
        if "ticket_intent" not in active:
            return packaged_intent, packaged_sentiment, FALLBACK_VERSION, "packaged"
        intent = _tenant_model(conn, tenant, "ticket_intent", active["ticket_intent"])
        label = f"ticket_intent@v{active['ticket_intent']}"
        if "ticket_sentiment" in active:
            sentiment = _tenant_model(conn, tenant, "ticket_sentiment", active["ticket_sentiment"])
            return intent, sentiment, f"{label}+ticket_sentiment@v{active['ticket_sentiment']}", "tenant"
    return intent, packaged_sentiment, f"{label}+sentiment:{FALLBACK_VERSION}", "tenant"


def classify_ticket(text: str, *, db: Database | None = None, tenant: str | None = None) -> TicketClassification:
    """Intent and sentiment of one message, with the words that drove them; low confidence on unknown text.

    The result names the model that classified it (``source``: the tenant's own or the packaged fallback)
    and the intents that model knows (the tenant's taxonomy when its own model is active).
    """
    intent_model, sentiment_model, version, source = _models(db, tenant)
    notes: dict[str, tuple[str | None, str | None]] = {}
    if db is not None and tenant is not None:
        with db.tenant(tenant) as conn:
            notes = taxonomy.stored_notes(conn)
    xi, xs = intent_model.tfidf(text), sentiment_model.tfidf(text)
    pi, ps = intent_model.proba(xi), sentiment_model.proba(xs)
    ii, si = int(np.argmax(pi)), int(np.argmax(ps))
    intent, sentiment = intent_model.classes[ii], sentiment_model.classes[si]
    order = np.argsort(-pi)
    runner_up = intent_model.classes[int(order[1])] if len(order) > 1 else None
    ambiguous = runner_up is not None and float(pi[order[0]] - pi[order[1]]) < intent_model.ambiguous_margin
    stakes = stakes_model()
    p_stakes = float(stakes.proba(stakes.tfidf(text))[stakes.classes.index("yes")])
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
    if not intent_model.knows_words(xi):
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
        intent_runner_up=runner_up,
        intent_ambiguous=ambiguous,
        high_stakes=round(p_stakes, 4),
        situation=situation_for(sentiment, high_stakes=p_stakes >= 0.5),
        sentiment=sentiment,
        sentiment_score=round(max(-1.0, min(1.0, score)), 4),
        confidence=round(confidence, 4),
        reasons=reasons,
        model_version=version,
        source=source,
        intents=list(intent_model.classes),
        intent_descriptions={i: d for i, (d, _) in notes.items() if d and i in intent_model.classes},
        route=notes.get(intent, (None, None))[1],
    )
