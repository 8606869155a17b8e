"""The packaged demo embeddings are current (cover every demo chunk) and equal what the model computes."""

from __future__ import annotations

import numpy as np

from hyperjourney.knowledge.embedder import LocalEmbedder
from hyperjourney.knowledge.seed_vectors import SEED_MODEL, demo_chunk_texts, seed_vectors


def test_seed_covers_every_demo_chunk_and_matches_the_model() -> None:
    texts = demo_chunk_texts()
    seeds = seed_vectors()
    missing = set(texts) - set(seeds)
    assert not missing, "demo KB or chunking changed: run `python -m hyperjourney.knowledge.seed_vectors`"
    assert LocalEmbedder.name == SEED_MODEL
    sample = sorted(texts)[:4]
    fresh = LocalEmbedder().embed([texts[h] for h in sample])
    np.testing.assert_allclose(fresh, np.vstack([seeds[h] for h in sample]), atol=1e-4)
