"""The injection classifier: a logistic model over character n-grams, words and structural signals.

Character 3-5-grams carry spelling variants and other scripts, word uni/bigrams carry phrasing, and the
signals (inbound_signals.py) carry structure: a text that addresses the AI, overrides its instructions or
dictates its output. Text features are scaled by 1/sqrt(count) so long and short texts compare; signals
count as they are. A long ticket is scored in overlapping windows of a few sentences, so an instruction
wrapped inside an ordinary complaint is not drowned by it, and the score is the highest over every view and
window. The parameters are JSON written by inbound_train.py from the corpus the project ships; no pickle,
nothing downloaded.
"""

from __future__ import annotations

import gzip
import math
import re
from functools import cache
from importlib import resources
from itertools import pairwise

from pydantic import BaseModel

from hyperjourney.guardrails.inbound_signals import signals

MODEL_FILE = "inbound_model.json.gz"
WINDOW_CHARS = 160
_PIECES = re.compile(r"[^\n.!?。！？]+[.!?。！？]*")


class InboundModel(BaseModel):
    """Weights by feature name, the bias, and the threshold calibrated on out-of-fold scores."""

    bias: float
    threshold: float
    weights: dict[str, float]
    corpus_sha256: str
    trained_on: dict[str, int]


def text_features(text: str) -> list[str]:
    """Character 3-5-grams (digits folded to 0), words and word bigrams of one window."""
    low = re.sub(r"\d", "0", re.sub(r"\s+", " ", text.lower())).strip()
    padded = f" {low} "
    feats = {"c" + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)}
    words = re.findall(r"\w+", low)
    feats.update("w" + w for w in words)
    feats.update(f"b{a} {b}" for a, b in pairwise(words))
    return sorted(feats)


def signal_features(text: str, extra: tuple[str, ...] = (), found: dict[str, int] | None = None) -> list[str]:
    """One feature per signal family present (and per ``extra`` flag), a second when it occurs more than once,
    and one per pair present together: two weak signs at once ("assistant" and "only reply with") say more
    than either alone, which a linear model cannot learn from the single features."""
    found = signals(text) if found is None else found  # a caller that already ran signals() passes them
    present = sorted([*found, *extra])
    out = [f"s:{name}" for name in present]
    out += [f"s:{name}:2" for name, count in found.items() if count > 1]
    out += [f"s:{a}+{b}" for i, a in enumerate(present) for b in present[i + 1 :]]
    return out


def windows(text: str) -> list[str]:
    """The text itself (its first 1,200 characters), and when longer than one window, every run of
    consecutive sentences or lines up to WINDOW_CHARS."""
    if len(text) <= WINDOW_CHARS:
        return [text]
    pieces = [p.strip() for p in _PIECES.findall(text) if p.strip()]
    out: list[str] = [text[:1200]]
    for i in range(len(pieces)):
        window = pieces[i]
        j = i + 1
        while j < len(pieces) and len(window) + len(pieces[j]) < WINDOW_CHARS:
            window += " " + pieces[j]
            j += 1
        out.append(window[: WINDOW_CHARS * 2])
        if j == len(pieces):
            break
    return list(dict.fromkeys(out))


def logit(model: InboundModel, text_feats: list[str], signal_feats: list[str]) -> float:
    w = model.weights
    scale = 1 / math.sqrt(len(text_feats)) if text_feats else 0.0
    return model.bias + scale * sum(w.get(f, 0.0) for f in text_feats) + sum(w.get(f, 0.0) for f in signal_feats)


def probability(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def shipped_model() -> InboundModel:
    raw = (resources.files("hyperjourney.guardrails") / MODEL_FILE).read_bytes()
    return InboundModel.model_validate_json(gzip.decompress(raw))  # pydantic's parser: a third faster than json
