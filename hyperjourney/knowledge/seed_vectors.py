"""Packaged embeddings of the demo knowledge base, so the first `hyperjourney demo` embeds nothing.

The file maps chunk content hashes to the offline model's vectors; it is consulted only for that model
and only for hashes it holds, so an edited demo document or a changed chunker simply falls back to
embedding. Regenerate after changing the demo knowledge base or chunking:
``python -m hyperjourney.knowledge.seed_vectors``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hyperjourney.knowledge.minilm import MODEL_NAME

SEED_MODEL = f"local:{MODEL_NAME}"


def seed_path() -> Path:
    return Path(str(resources.files("hyperjourney.knowledge") / "kb" / "demo.embeddings.npz"))


@lru_cache(maxsize=1)
def seed_vectors() -> dict[str, NDArray[np.float32]]:
    path = seed_path()
    if not path.exists():
        return {}
    with np.load(path) as data:
        return dict(zip(data["hashes"].tolist(), data["vectors"].astype(np.float32), strict=True))


def demo_chunk_texts() -> dict[str, str]:
    """Content hash → embedding text for every chunk of the packaged demo knowledge base."""
    from hyperjourney.knowledge.chunking import chunk_markdown, embedding_text
    from hyperjourney.knowledge.readers import read_document, supported

    root = Path(str(resources.files("hyperjourney.knowledge") / "kb" / "demo"))
    texts: dict[str, str] = {}
    for file in sorted(p for p in root.rglob("*") if p.is_file() and supported(p)):
        doc = read_document(file, root)
        for c in chunk_markdown(doc.title, doc.body):
            texts[c.content_hash] = embedding_text(doc.title, c.section, c.text)
    return texts


def write_seed() -> int:
    from hyperjourney.knowledge.embedder import LocalEmbedder

    texts = demo_chunk_texts()
    hashes = sorted(texts)
    vectors = LocalEmbedder().embed([texts[h] for h in hashes])
    np.savez_compressed(seed_path(), hashes=np.asarray(hashes), vectors=vectors.astype(np.float32))
    seed_vectors.cache_clear()
    return len(hashes)


if __name__ == "__main__":
    print(f"wrote {write_seed()} vectors to {seed_path()}")
