"""The numpy MiniLM matches sentence-transformers' published all-MiniLM-L6-v2 output and ranks sensibly."""

from __future__ import annotations

import numpy as np

from hyperjourney.knowledge.embedder import LocalEmbedder

# First values of sentence-transformers' all-MiniLM-L6-v2 embeddings for these sentences (its documentation).
REFERENCE = {
    "This is an example sentence": [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374480],
    "Each sentence is converted": [0.0864386, 0.1027626, 0.0053945, 0.0020444],
}


def test_matches_reference_values() -> None:
    vectors = LocalEmbedder().embed(list(REFERENCE))
    assert vectors.shape == (2, 384)
    for row, expected in zip(vectors, REFERENCE.values(), strict=True):
        np.testing.assert_allclose(row[: len(expected)], expected, atol=2e-4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrase_is_closer_than_unrelated_text() -> None:
    a, b, c, d = LocalEmbedder().embed(
        [
            "How do I get my money back?",
            "What is your refund policy?",
            "The hiking boots are waterproof.",
            "Which shoes keep my feet dry on wet trails?",
        ]
    )
    assert a @ b > a @ c + 0.2
    assert d @ c > d @ a + 0.2


def test_long_and_batched_input_equals_single() -> None:
    texts = ["short", "a much longer sentence about reconciliation of bank payouts " * 40, "medium length text here"]
    emb = LocalEmbedder()
    together = emb.embed(texts)
    alone = np.vstack([emb.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
