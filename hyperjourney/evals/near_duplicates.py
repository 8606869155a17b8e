"""Near-duplicates between training data, dev and held-out items: token-set Jaccard, not exact equality.

A golden item that is a light rewording of a training example measures memory, not generalisation; an exact-match
leak check misses it ("win back lapsed runners" vs "win back lapsed runners now"). Two texts are near-duplicates
when the Jaccard similarity of their word sets reaches THRESHOLD. The training corpora are the ones the models
under test learned from: the goal router's packaged examples and the tickets the packaged ticket classifiers were
fitted on (the demo generator, seed 11).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from pydantic import BaseModel

THRESHOLD = 0.7
_WORD = re.compile(r"\w+", re.UNICODE)


class NearDuplicate(BaseModel):
    item: str
    text: str
    match: str
    source: str
    similarity: float


def tokens(text: str) -> frozenset[str]:
    """Lower-cased words of two or more characters (single letters and digits say little about wording)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def find(
    items: Sequence[tuple[str, str]],
    against: Sequence[tuple[str, str]],
    *,
    threshold: float = THRESHOLD,
) -> list[NearDuplicate]:
    """Each item (id, text) whose closest text in ``against`` (source, text) reaches ``threshold``.

    Shared words are counted through an inverted index, so a few hundred items against a few thousand training
    texts take well under a second.
    """
    corpus = [(source, text, tokens(text)) for source, text in against]
    index: dict[str, list[int]] = {}
    for n, (_s, _t, words) in enumerate(corpus):
        for w in words:
            index.setdefault(w, []).append(n)
    found: list[NearDuplicate] = []
    for item_id, text in items:
        words = tokens(text)
        shared: dict[int, int] = {}
        for w in words:
            for n in index.get(w, ()):
                shared[n] = shared.get(n, 0) + 1
        best, best_n = 0.0, -1
        for n, common in shared.items():
            score = common / (len(words) + len(corpus[n][2]) - common)
            if score > best:
                best, best_n = score, n
        if best_n >= 0 and best >= threshold:
            source, match, _ = corpus[best_n]
            found.append(NearDuplicate(item=item_id, text=text, match=match, source=source, similarity=round(best, 3)))
    return found


@cache
def router_examples() -> tuple[tuple[str, str], ...]:
    """The goal router's training examples, labelled with their plan."""
    from hyperjourney.models.intent_router import examples

    return tuple((f"route_examples:{plan}", text) for plan, texts in examples().items() for text in texts)


@cache
def generator_tickets() -> tuple[tuple[str, str], ...]:
    """The first messages the packaged ticket classifiers were fitted on (subject and body, as the copilot reads)."""
    from hyperjourney.scoring.packaged_text import TRAIN_SEED, _first_messages  # generates a world: only here

    return tuple(
        (f"generator:seed{TRAIN_SEED}", text) for text, _intent, _sentiment in _first_messages(TRAIN_SEED, 1500)
    )


# suite -> the training data its models learned from (suites not named here have none to compare with)
TRAINING: dict[str, Callable[[], tuple[tuple[str, str], ...]]] = {
    "routing": router_examples,
    "copilot": generator_tickets,
}
