"""Knowledge test helpers: a fast hashing embedder and a writer for small markdown documents."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray


class HashEmbedder:
    """A fast deterministic stand-in: texts sharing words get similar vectors (bag of hashed words)."""

    name = "test:hash"

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


def write_doc(folder: Path, name: str, doc_id: str, body: str, **meta: str) -> Path:
    fields = {"id": doc_id, "type": "faq", "title": doc_id.replace("-", " ").title(), "updated_at": "2026-01-05"}
    fields.update(meta)
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\n{body}", encoding="utf-8")
    return path
