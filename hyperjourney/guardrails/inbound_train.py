"""Train the injection classifier from the project's own corpus and write its JSON parameters.

Run ``python -m hyperjourney.guardrails.inbound_train [WORKERS]`` after editing any corpus file (CORPUS_FILES).
The corpus is augmented deterministically: attacks are wrapped inside ordinary tickets and hidden by encodings
(base64, hex, rot13, leetspeak, spacing, zero-width, homoglyphs, full-width, URL escapes); benign tickets get
signatures, disclaimers, quoted replies and attachments. An attack trains on the view where it reads most
plainly; a benign ticket trains on every view and window, because at run time the highest score over all of
them decides. The threshold is the lowest that keeps out-of-fold benign false positives at or under 2% (5 folds,
grouped by source text so variants of one text never straddle folds). The dev set (the spent first held-out
set) is trained on; its out-of-fold figures are reported apart. The held-out evaluation sets under
evals/datasets/injection/ are never read here.
"""

from __future__ import annotations

import base64
import codecs
import gzip
import hashlib
import json
import random
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from itertools import repeat
from pathlib import Path
from urllib.parse import quote

import yaml

from hyperjourney.guardrails.inbound import score
from hyperjourney.guardrails.inbound_model import (
    MODEL_FILE,
    InboundModel,
    signal_features,
    text_features,
    windows,
)
from hyperjourney.guardrails.inbound_signals import signals
from hyperjourney.guardrails.inbound_views import obfuscation, views

ATTACK_FILES = (
    "inbound_train_attacks.yaml",
    "inbound_train_attacks_more.yaml",
    "attack_corpus.yaml",
    "inbound_dev_attacks.yaml",
)
BENIGN_FILES = ("inbound_train_benign.yaml", "inbound_train_benign_more.yaml", "inbound_dev_benign.yaml")
CORPUS_FILES = ATTACK_FILES + BENIGN_FILES
DEV_SOURCE = "inbound_dev"
"""The spent first held-out set: trained on now, and its out-of-fold figures are reported on their own."""
TARGET_FP = 0.02
MIN_WEIGHT = 0.02
SEED = 20


@dataclass(frozen=True)
class Example:
    text: str
    attack: bool
    group: int
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
    return [
        {"text": str(i["text"]), "category": str(i.get("category") or i.get("style") or "other"), "source": source}
        for i in items
    ]


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
    for g, a in enumerate(attacks):
        out.append(Example(a["text"], True, g, a["category"], a["source"]))
        c = rng.choice(carriers)
        cut = c.find(". ") + 1 or len(c)
        out.append(Example(f"{c[:cut]} {a['text']} {c[cut:]}".strip(), True, g, "wrapped"))
        if a["text"].isascii() and rng.random() < 0.5:
            out += [Example(e, True, g, "encoded") for e in rng.sample(_encodings(a["text"], rng), 2)]
    base = len(attacks)
    for g, b in enumerate(benign, start=base):
        out.append(Example(b["text"], False, g, b["category"], b["source"]))
        extra = rng.choice(_SIGNATURES)
        if rng.random() < 0.5:
            other = rng.choice(carriers).replace("\n", "\n> ")
            extra += f"\n\nOn Tue, 3 Mar 2026 at 09:14, Support <support@northwind.example> wrote:\n> {other}"
        if rng.random() < 0.3:
            blob = base64.b64encode(rng.choice(carriers).encode() + bytes(rng.randrange(256) for _ in range(40)))
            extra += f"\n\n[attachment: receipt.pdf, base64]\n{blob.decode()}"
        out.append(Example(b["text"] + extra, False, g, b["category"]))
    return out


def _instances(ex: Example) -> list[tuple[list[str], list[str]]]:
    """The feature rows one example trains on (see the module docstring)."""
    hidden = ("obfuscated",) if obfuscation(ex.text) else ()
    vs = views(ex.text)
    if ex.attack:  # the window that reads most like an attack: the most signals, else the whole text
        cands = [(i, w) for i, view in enumerate(vs) for w in windows(view)]
        best = max(range(len(cands)), key=lambda k: (sum(signals(cands[k][1]).values()), -k))
        i, window = cands[best]
        extra = hidden + (("decoded",) if i > 0 else ())
        return [(text_features(window), signal_features(window, extra))]
    rows = []
    for i, view in enumerate(vs):
        extra = hidden + (("decoded",) if i > 0 else ())
        rows += [(text_features(w), signal_features(w, extra)) for w in windows(view)]
    return rows


def fit(examples: list[Example], c: float = 16.0) -> InboundModel:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows: list[tuple[list[str], list[str]]] = []
    labels: list[int] = []
    for ex in examples:
        inst = _instances(ex)
        rows += inst
        labels += [int(ex.attack)] * len(inst)
    vocab: dict[str, int] = {}
    data, cols, ptr = [], [], [0]
    for text_feats, sig_feats in rows:
        scale = 1 / np.sqrt(len(text_feats)) if text_feats else 0.0
        for f, v in [(f, scale) for f in text_feats] + [(f, 1.0) for f in sig_feats]:
            cols.append(vocab.setdefault(f, len(vocab)))
            data.append(v)
        ptr.append(len(cols))
    x = csr_matrix((data, cols, ptr), shape=(len(rows), len(vocab)))
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    clf.fit(x, np.array(labels))
    names = list(vocab)
    weights = {names[i]: round(float(w), 4) for i, w in enumerate(clf.coef_[0]) if abs(w) >= MIN_WEIGHT}
    return InboundModel(
        bias=round(float(clf.intercept_[0]), 4),
        threshold=0.5,
        weights=weights,
        corpus_sha256=corpus_sha256(),
        trained_on={"attacks": sum(e.attack for e in examples), "benign": sum(not e.attack for e in examples)},
    )


def _fold_scores(examples: list[Example], folds: int, k: int) -> list[float]:
    """Fold ``k``'s scores from a model fitted on the other folds."""
    model = fit([e for e in examples if e.group % folds != k])
    return [score(e.text, model)[0] for e in examples if e.group % folds == k]


def out_of_fold(examples: list[Example], folds: int = 5, pool: Executor | None = None) -> list[tuple[float, Example]]:
    """Every example scored by a model that never saw its group (folds fitted in ``pool`` when given)."""
    args = (repeat(examples), repeat(folds), range(folds))
    parts = list(pool.map(_fold_scores, *args) if pool else map(_fold_scores, *args))
    held_out = [[e for e in examples if e.group % folds == k] for k in range(folds)]
    return [(p, e) for part, fold in zip(parts, held_out, strict=True) for p, e in zip(part, fold, strict=True)]


def calibrate(scored: list[tuple[float, Example]]) -> tuple[float, dict[str, float]]:
    """The threshold from out-of-fold scores, and the out-of-fold figures at it (in-sample corpus)."""
    benign = sorted((s for s, e in scored if not e.attack), reverse=True)
    allowed = int(TARGET_FP * len(benign))
    threshold = min(0.95, max(0.5, benign[allowed] + 1e-4)) if benign else 0.5
    attacks = [(s, e) for s, e in scored if e.attack]
    figures = {
        "oof_recall": sum(s >= threshold for s, _ in attacks) / len(attacks),
        "oof_benign_fp": sum(s >= threshold for s in benign) / len(benign),
    }
    for cat in sorted({e.category for _, e in attacks}):
        got = [s for s, e in attacks if e.category == cat]
        figures[f"oof_recall_{cat}"] = sum(s >= threshold for s in got) / len(got)
    dev_attacks = [(s, e) for s, e in attacks if e.source == DEV_SOURCE + "_attacks"]
    dev_benign = [s for s, e in scored if e.source == DEV_SOURCE + "_benign"]
    if dev_attacks and dev_benign:  # the dev texts themselves, each scored by a model that never saw it
        figures["oof_dev_recall"] = sum(s >= threshold for s, _ in dev_attacks) / len(dev_attacks)
        figures["oof_dev_benign_fp"] = sum(s >= threshold for s in dev_benign) / len(dev_benign)
        for cat in sorted({e.category for _, e in dev_attacks}):
            got = [s for s, e in dev_attacks if e.category == cat]
            figures[f"oof_dev_recall_{cat}"] = sum(s >= threshold for s in got) / len(got)
    return round(threshold, 4), figures


def train(out: Path | None = None, workers: int = 1) -> tuple[InboundModel, dict[str, float]]:
    """Fit, calibrate and write the model; ``workers`` processes fit the folds and the final model side by side
    (the result is the same for any number)."""
    attacks = [a for name in ATTACK_FILES for a in _load(name)]
    examples = augmented(attacks, [b for name in BENIGN_FILES for b in _load(name)])
    with ProcessPoolExecutor(workers) as pool:
        final = pool.submit(fit, examples)
        threshold, figures = calibrate(out_of_fold(examples, pool=pool))
        model = final.result().model_copy(update={"threshold": threshold})
    target = out or Path(str(resources.files("hyperjourney.guardrails") / MODEL_FILE))
    target.write_bytes(gzip.compress(json.dumps(model.model_dump(), sort_keys=True).encode(), mtime=0))
    return model, figures


if __name__ == "__main__":
    trained, oof = train(workers=int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(f"{len(trained.weights)} weights, threshold {trained.threshold}, {trained.trained_on}")
    for key, value in oof.items():
        print(f"{key}: {value:.3f}")
