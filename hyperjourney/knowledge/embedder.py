"""Embedders behind one protocol: the packaged offline MiniLM by default, an OpenAI-compatible endpoint by setting.

Chunks are embedded through :func:`embed_cached`, which looks vectors up by content hash in the tenant's
``kb_embedding_cache`` first, so re-ingesting unchanged text embeds nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np
import psycopg
from numpy.typing import NDArray

from hyperjourney.knowledge import minilm, seed_vectors
from hyperjourney.knowledge.models import KnowledgeError
from hyperjourney.settings import Embeddings, Settings

Vectors = NDArray[np.float32]
DIMENSIONS = minilm.DIMENSIONS


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors of ``DIMENSIONS`` floats; ``name`` keys the embedding cache."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU in numpy; the model loads once per process on first use."""

    name = f"local:{minilm.MODEL_NAME}"
    _model: minilm.MiniLM | None = None
    _lock = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    def model(self) -> minilm.MiniLM:
        with LocalEmbedder._lock:
            if LocalEmbedder._model is None:
                LocalEmbedder._model = minilm.MiniLM()
            LocalEmbedder._model.threads = self.threads
            return LocalEmbedder._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.model().encode(list(texts))


class EmbeddingEndpointError(KnowledgeError):
    """The configured /embeddings endpoint failed or answered with something unusable."""


class HttpEmbedder:
    """An OpenAI-compatible ``POST {base_url}/embeddings`` (OpenAI, vLLM, llama.cpp server, Ollama, TEI)."""

    def __init__(self, config: Embeddings, client: httpx.Client | None = None) -> None:
        if not config.base_url:
            raise KnowledgeError("embeddings.base_url is not set")
        self.config = config
        self.name = f"http:{config.model}"
        headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}"} if config.api_key else {}
        self.client = client or httpx.Client(
            base_url=config.base_url.rstrip("/"), headers=headers, timeout=config.timeout_s
        )

    def embed(self, texts: Sequence[str]) -> Vectors:
        out: list[list[float]] = []
        size = self.config.batch_size
        for start in range(0, len(texts), size):
            out.extend(self._batch(list(texts[start : start + size])))
        if not out:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = np.asarray(out, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)

    def _batch(self, texts: list[str]) -> list[list[float]]:
        body: dict[str, Any] = {"model": self.config.model, "input": texts, "dimensions": self.config.dimensions}
        try:
            response = self.client.post("/embeddings", json=body)
            response.raise_for_status()
            data = response.json()["data"]
            vectors = [item["embedding"] for item in sorted(data, key=lambda d: d.get("index", 0))]
        except httpx.HTTPError as exc:
            raise EmbeddingEndpointError(f"embeddings endpoint {self.config.base_url} failed: {exc}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingEndpointError(
                f"embeddings endpoint {self.config.base_url} answered without OpenAI-style data[].embedding"
            ) from exc
        if len(vectors) != len(texts):
            raise EmbeddingEndpointError(f"asked for {len(texts)} embeddings, endpoint returned {len(vectors)}")
        bad = next((len(v) for v in vectors if len(v) != DIMENSIONS), None)
        if bad is not None:
            raise EmbeddingEndpointError(
                f"endpoint returned {bad}-d vectors; the knowledge tables store {DIMENSIONS}-d "
                "(choose a model that supports `dimensions`, e.g. text-embedding-3-small)"
            )
        return vectors


def from_settings(settings: Settings) -> Embedder:
    """The configured embedder: an HTTP endpoint when ``embeddings.base_url`` is set, else the offline model."""
    if settings.embeddings.remote:
        return HttpEmbedder(settings.embeddings)
    return LocalEmbedder(settings.embeddings.cpu_threads)


def to_pgvector(vector: NDArray[np.float32]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def embed_cached(
    conn: psycopg.Connection[Any],
    embedder: Embedder,
    texts: Mapping[str, str],
    *,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, str], int]:
    """Vectors (pgvector text) for ``texts`` keyed by content hash, from the tenant's cache where possible.

    The offline model also finds the demo knowledge base's packaged vectors (see ``seed_vectors``).
    Only texts whose hash is not cached are embedded (in length-sorted batches) and then cached. Returns the
    vectors and how many were newly embedded.
    """
    known: dict[str, str] = {}
    if texts:
        rows = conn.execute(
            "SELECT content_hash, embedding::text FROM kb_embedding_cache WHERE model = %s AND content_hash = ANY(%s)",
            (embedder.name, sorted(texts)),
        ).fetchall()
        known = {h: v for h, v in rows}
    if embedder.name == seed_vectors.SEED_MODEL:
        packaged = seed_vectors.seed_vectors()
        seeded = [(embedder.name, h, to_pgvector(packaged[h])) for h in texts if h not in known and h in packaged]
        if seeded:
            conn.cursor().executemany(
                "INSERT INTO kb_embedding_cache (model, content_hash, embedding) VALUES (%s, %s, %s::vector) "
                "ON CONFLICT DO NOTHING",
                seeded,
            )
            known.update({h: v for _, h, v in seeded})
    missing = sorted((h for h in texts if h not in known), key=lambda h: len(texts[h]))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        vectors = embedder.embed([texts[h] for h in batch])
        fresh = [(embedder.name, h, to_pgvector(v)) for h, v in zip(batch, vectors, strict=True)]
        # COPY FROM is refused on tables with row-level security; a pipelined executemany is close in speed.
        conn.cursor().executemany(
            "INSERT INTO kb_embedding_cache (model, content_hash, embedding) VALUES (%s, %s, %s::vector) "
            "ON CONFLICT DO NOTHING",
            fresh,
        )
        known.update({h: v for _, h, v in fresh})
        if progress:
            progress(min(start + batch_size, len(missing)), len(missing))
    return known, len(missing)
