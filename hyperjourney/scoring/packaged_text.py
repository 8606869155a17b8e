"""Build the packaged ticket classifiers (`python -m hyperjourney.scoring.packaged_text`).

Run once by a maintainer, never at run time. Intent, sentiment and high stakes learn from real-looking composed
tickets in en/de/es/fr (`ticket_corpus`, synthetic, in-sample) plus, for intent and sentiment, the demo
generator's first messages (seed 11). Features: the customer's own words (quotes and signatures set apart), word
1-2 grams and character 2-5 grams. Probabilities are calibrated by a temperature fitted on out-of-fold
predictions grouped by template. Figures: the composed dev split (templates and moods training never saw) with
reliability (ECE) and per-language accuracy, and the generator's tickets of seed 12. Writes plain JSON
parameters (no pickle) to ``ticket_text.json`` beside this module, which `hyperjourney.scoring.text` loads.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from hyperjourney.data.seed.generator import generate
from hyperjourney.scoring.text import PACKAGED_PATH, TextModel, fit_text, holdout_quality
from hyperjourney.scoring.ticket_corpus import LANGUAGES, CorpusTicket, compose
from hyperjourney.scoring.ticket_lexicon import packaged_lexicon

TRAIN_SEED, HELD_OUT_SEED = 11, 12
CORPUS_TRAIN_SEED, CORPUS_DEV_SEED = 31, 32
CORPUS_TRAIN, CORPUS_DEV = 1600, 480
CHAR_FEATURES, WORD_FEATURES = 6000, 4000  # small enough to load fast, large enough for four languages
AMBIGUOUS_MARGIN = 0.1  # top-two probability gap under which the intent is a tie a person settles
_TEMPERATURES = np.round(np.arange(0.2, 4.01, 0.05), 2)


def _first_messages(seed: int, tickets: int) -> list[tuple[str, str, str]]:
    data = generate(seed=seed, customers=700, events=8000, tickets=tickets)
    firsts: dict[str, tuple[str, str, str]] = {}
    for m in sorted(data.ticket_messages, key=lambda m: m.sent_at):
        if m.author == "customer" and m.ticket_id not in firsts:
            firsts[m.ticket_id] = (f"{m.subject}\n{m.body}", m.labels["intent"], m.labels["sentiment"])
    return list(firsts.values())


def _label(t: CorpusTicket, name: str) -> str:
    return {"ticket_intent": t.intent, "ticket_sentiment": t.sentiment}.get(name, "yes" if t.high_stakes else "no")


def _fit(texts: list[str], labels: list[str]) -> dict[str, Any]:
    return fit_text(
        texts,
        labels,
        chars=CHAR_FEATURES,
        words=WORD_FEATURES,
        clean=True,
        lexicon=packaged_lexicon(),
        balanced=True,
        c=2.0,
    )


def _logits(artifact: dict[str, Any], texts: list[str]) -> np.ndarray:
    model = TextModel(artifact | {"temperature": 1.0})
    return np.array([model.coef @ model.tfidf(t) + model.intercept for t in texts])


def _temperature(texts: list[str], labels: list[str], groups: list[str]) -> float:
    """The temperature that minimises log loss on one held-out fold's logits (a template stays on one side).

    One fold of four, not all four: the build runs on shared CPUs and a quarter of the templates is enough to
    fit one number; the dev split's reliability then checks it."""
    z_all: list[np.ndarray] = []
    y_all: list[int] = []
    classes = sorted(set(labels))
    for tr, te in list(GroupKFold(n_splits=4).split(texts, labels, groups))[:1]:
        art = _fit([texts[i] for i in tr], [labels[i] for i in tr])
        z = _logits(art, [texts[i] for i in te])
        index = {c: k for k, c in enumerate(art["classes"])}
        full = np.full((len(te), len(classes)), -1e9)
        for k, c in enumerate(classes):
            if c in index:
                full[:, k] = z[:, index[c]]
        composed = np.array([not groups[i].startswith("generator/") for i in te])
        z_all.append(full[composed])  # calibrate on real-looking tickets: the generator's are too easy to tell
        y_all += [classes.index(labels[i]) for i, keep in zip(te, composed, strict=True) if keep]
    z, y = np.vstack(z_all), np.array(y_all)

    def nll(t: float) -> float:
        s = z / t
        s = s - s.max(axis=1, keepdims=True)
        return float(-(s[np.arange(len(y)), y] - np.log(np.exp(s).sum(axis=1))).mean())

    return float(min(_TEMPERATURES, key=nll))


def reliability(confidence: list[float], correct: list[bool], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error and the per-bin (mean confidence, accuracy, n) a reliability curve plots."""
    conf, ok = np.array(confidence), np.array(correct, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    curve, ece = [], 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            curve.append([round(float(conf[mask].mean()), 3), round(float(ok[mask].mean()), 3), int(mask.sum())])
            ece += mask.mean() * abs(conf[mask].mean() - ok[mask].mean())
    return {"ece": round(float(ece), 4), "curve": curve}


def dev_quality(model: TextModel, dev: list[CorpusTicket], name: str, train_labels: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, reliability, per-language accuracy (and ambiguity, very-negative recall) on ``dev``."""
    probs = [model.proba(model.tfidf(t.text)) for t in dev]
    predicted = [model.classes[int(np.argmax(p))] for p in probs]
    actual = [_label(t, name) for t in dev]
    correct = [a == p for a, p in zip(actual, predicted, strict=True)]
    q = holdout_quality(actual, predicted, train_labels)
    q["reliability"] = reliability([float(p.max()) for p in probs], correct)
    q["by_language"] = {
        lang: round(float(np.mean([c for c, t in zip(correct, dev, strict=True) if t.language == lang])), 4)
        for lang in LANGUAGES
    }
    if name == "ticket_intent":
        gaps = [float(np.sort(p)[-1] - np.sort(p)[-2]) for p in probs]
        clear = [c for c, g in zip(correct, gaps, strict=True) if g >= AMBIGUOUS_MARGIN]
        q["ambiguous_share"] = round(1 - len(clear) / len(dev), 4)
        q["accuracy_when_not_ambiguous"] = round(float(np.mean(clear)), 4) if clear else 0.0
    if name == "ticket_sentiment":
        vn = [p == "very_negative" for a, p in zip(actual, predicted, strict=True) if a == "very_negative"]
        q["very_negative_recall"] = round(float(np.mean(vn)), 4)
    if name == "ticket_stakes":
        hs = [p == "yes" for a, p in zip(actual, predicted, strict=True) if a == "yes"]
        q["high_stakes_recall"] = round(float(np.mean(hs)), 4)
    q["split"] = "composed dev tickets: templates and mood lines training never saw (ticket_corpus, synthetic)"
    return q


def build() -> dict[str, Any]:
    corpus = compose(CORPUS_TRAIN, dev=False, seed=CORPUS_TRAIN_SEED)
    dev = compose(CORPUS_DEV, dev=True, seed=CORPUS_DEV_SEED)
    gen_train, gen_held = _first_messages(TRAIN_SEED, 1500), _first_messages(HELD_OUT_SEED, 500)
    out: dict[str, Any] = {}
    for name, col in (("ticket_intent", 1), ("ticket_sentiment", 2), ("ticket_stakes", 0)):
        texts = [t.text for t in corpus]
        labels = [_label(t, name) for t in corpus]
        groups = [t.template for t in corpus]
        if col:
            texts += [r[0] for r in gen_train]
            labels += [r[col] for r in gen_train]
            groups += [f"generator/{i % 8}" for i in range(len(gen_train))]
        artifact = _fit(texts, labels)
        artifact["temperature"] = _temperature(texts, labels, groups)
        if name == "ticket_intent":
            artifact["ambiguous_margin"] = AMBIGUOUS_MARGIN
        # two decimals keep the file small; every figure below is measured on the rounded parameters
        artifact["coef"] = [[round(w, 2) for w in row] for row in artifact["coef"]]
        artifact["idf"] = [round(w, 4) for w in artifact["idf"]]
        artifact["char_idf"] = [round(w, 4) for w in artifact["char_idf"]]
        model = TextModel(artifact)
        quality: dict[str, Any] = {"dev": dev_quality(model, dev, name, labels)}
        if col:
            te = [(r[0], r[col]) for r in gen_held]
            predicted = [model.classes[int(np.argmax(model.proba(model.tfidf(t))))] for t, _ in te]
            quality |= holdout_quality([y for _, y in te], predicted, labels)
            quality["held_out"] = (
                f"{len(te)} tickets of the demo generator (seed {HELD_OUT_SEED}) never seen in training "
                f"({len(corpus)} composed tickets + {len(gen_train)} generator tickets, seed {TRAIN_SEED})"
            )
        else:
            quality |= {k: quality["dev"][k] for k in ("n", "accuracy", "macro_f1", "baseline_accuracy")}
            quality["held_out"] = f"{len(dev)} composed dev tickets never seen in training ({len(corpus)} composed)"
        quality["description"] = {
            "ticket_intent": "intent of the customer's own words (packaged model)",
            "ticket_sentiment": "sentiment of the customer's own words (packaged model)",
            "ticket_stakes": "high stakes (tone guide) in the customer's own words (packaged model)",
        }[name]
        quality["beats_baseline"] = bool(quality["macro_f1"] > quality.get("baseline_macro_f1", 0.0))
        quality["temperature"] = artifact["temperature"]
        out[name] = {"artifact": artifact, "metrics": quality}
    return out


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGED_PATH
    target.write_text(json.dumps(build(), separators=(",", ":"), sort_keys=True), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
