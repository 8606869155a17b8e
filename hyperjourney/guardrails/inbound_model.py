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
from itertools import pairwise, repeat

from pydantic import BaseModel

from hyperjourney.guardrails.inbound_signals import signals

MODEL_FILE = "inbound_model.json.gz"
WINDOW_CHARS = 160
_PIECES = re.compile(r"[^\n.!?。！？]+[.!?。！？]*")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_ZEROS = repeat(0.0)


class InboundModel(BaseModel):
    """Weights by feature name, the bias, and the threshold calibrated on out-of-fold scores."""

    bias: float
    threshold: float
    weights: dict[str, float]
    corpus_sha256: str
    trained_on: dict[str, int]


def text_features(text: str) -> list[str]:
    """Character 3-5-grams (digits folded to 0), words and word bigrams of one window, each once (in no set
    order: training sorts them)."""
    low = _DIGIT.sub("0", _SPACE.sub(" ", text.lower())).strip()
    padded = f" {low} "
    size = len(padded)
    feats = {"c" + padded[i : i + n] for n in (3, 4, 5) for i in range(size - n + 1)}
    words = _WORD.findall(low)
    feats.update(["w" + w for w in words])
    feats.update([f"b{a} {b}" for a, b in pairwise(words)])
    return list(feats)


def signal_features(text: str, extra: tuple[str, ...] = (), found: dict[str, int] | None = None) -> list[str]:
    """One feature per signal family present (and per ``extra`` flag), a second when it occurs more than once,
    and one per pair present together: two weak signs at once ("assistant" and "only reply with") say more
    than either alone, which a linear model cannot learn from the single features."""
    found = signals(text) if found is None else found  # a caller that already counted the signals passes them
    present = sorted([*found, *extra])
    out = [f"s:{name}" for name in present]
    out += [f"s:{name}:2" for name, count in found.items() if count > 1]
    out += [f"s:{a}+{b}" for i, a in enumerate(present) for b in present[i + 1 :]]
    return out


def window_spans(text: str) -> list[tuple[int, int]]:
    """Where the windows are: the text itself (its first 1,200 characters), and when longer than one window,
    every run of consecutive sentences or lines up to WINDOW_CHARS. Spans, not copies, so a window's signals
    are read from the matches on the whole text (inbound_signals.spans)."""
    if len(text) <= WINDOW_CHARS:
        return [(0, len(text))]
    pieces = [
        (m.start() + len(m.group()) - len(m.group().lstrip()), m.start() + len(m.group().rstrip()))
        for m in _PIECES.finditer(text)
        if m.group().strip()
    ]
    out: list[tuple[int, int]] = [(0, min(len(text), 1200))]
    for i in range(len(pieces)):
        start, end = pieces[i]
        size = end - start
        j = i + 1
        while j < len(pieces) and size + pieces[j][1] - pieces[j][0] < WINDOW_CHARS:
            size += 1 + pieces[j][1] - pieces[j][0]
            end = pieces[j][1]
            j += 1
        out.append((start, min(end, start + WINDOW_CHARS * 2)))
        if j == len(pieces):
            break
    return list(dict.fromkeys(out))


def logit(model: InboundModel, text_feats: list[str], signal_feats: list[str]) -> float:
    w = model.weights
    scale = 1 / math.sqrt(len(text_feats)) if text_feats else 0.0
    return model.bias + scale * sum(map(w.get, text_feats, _ZEROS)) + sum(map(w.get, signal_feats, _ZEROS))


def probability(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def shipped_model() -> InboundModel:
    raw = (resources.files("hyperjourney.guardrails") / MODEL_FILE).read_bytes()
    return InboundModel.model_validate_json(gzip.decompress(raw))  # pydantic's parser: a third faster than json
