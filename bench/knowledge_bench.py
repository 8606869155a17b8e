"""Knowledge ingest throughput and search latency at 1k, 10k and 100k chunks.

The larger sizes use synthetic markdown documents (50 one-chunk sections each, words drawn from a fixed
vocabulary) and, so that 100k chunks ingest in minutes on two cores, a cheap embedder: deterministic random
unit vectors per text. Ingest figures therefore measure reading, chunking (llama-index), storage and index
maintenance, not the model; the model's own speed is measured separately on real demo chunks. Search
latency is measured with the retrieval cache off; the query embedding cost of the real model is reported
on its own line. Sizes can be narrowed with HJ_KB_BENCH_SIZES=1000,10000.

The SQL hybrid search and the llama-index retrievers over the same tables (vector, and the fusion of vector and
full text) are also scored side by side, in one run, on the demo knowledge base with the real model: recall@5 on
the dev golden retrieval set and per-question latency (query embedding included, cache off).
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.db.database import Database
from hyperjourney.knowledge.embedder import LocalEmbedder
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.search import Mode, search

SECTIONS_PER_DOC = 50
BULK_FROM = 100_000
"""From this size the HNSW index is dropped for the load and rebuilt after (incremental HNSW inserts of random
vectors cost ~5 ms each here, so 100k would take hours of index maintenance; the build is included in the time)."""
HNSW_INDEX = "CREATE INDEX kb_chunks_embedding ON kb_chunks USING hnsw (embedding vector_cosine_ops)"
QUERIES = 60
P95_TARGET_MS = 50.0
_VOCABULARY = (
    "invoice refund payout ledger reconciliation approval card limit shipping return exchange warranty seat "
    "workspace automation trigger board export security residency encryption consent quiet hours frequency "
    "escalation priority tone sizing width arch jacket fleece sock boot trail running hiking customer account "
    "password login billing subscription plan upgrade downgrade cancel pause trial discount club team bank "
    "statement matching tolerance exception close checklist entity currency vat tax region policy claim brand "
    "voice footer opt-out sms email push webhook segment cohort holdout lift experiment budget cost latency"
)
WORDS = _VOCABULARY.split()


class RandomEmbedder:
    """Deterministic random unit vectors per text (seeded by its hash): cheap stand-in for bulk benchmarks."""

    name = "bench:random"

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


def _filler(rng: random.Random, n: int = 20_000) -> list[str]:
    """Pseudo-words standing in for the long tail of a real vocabulary."""
    syllables = ["ka", "lo", "mi", "ter", "qua", "ven", "dor", "sil", "pra", "nu", "zo", "bel", "tri", "gan", "fex"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def _sentence(rng: random.Random, filler: list[str], words: int = 45) -> str:
    """Mostly long-tail words; each domain word lands in a few percent of chunks, as in real text."""
    return " ".join(rng.choice(WORDS) if rng.random() < 0.04 else rng.choice(filler) for _ in range(words))


def _write_corpus(folder: Path, chunks: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    filler = _filler(rng)
    for d in range(max(1, chunks // SECTIONS_PER_DOC)):
        lines = [
            f"---\nid: doc-{d}\ntype: {('faq', 'policy', 'product', 'case_study')[d % 4]}\n"
            f"region: {('global', 'eu', 'us')[d % 3]}\nupdated_at: 2026-0{1 + d % 9}-15\n---\n",
            f"# Document {d} about {rng.choice(WORDS)}\n",
        ]
        for s in range(SECTIONS_PER_DOC):
            lines.append(f"## Section {s}: {rng.choice(WORDS)} {rng.choice(WORDS)}\n")
            lines.append(_sentence(rng, filler) + ".\n")
        (folder / f"doc-{d}.md").write_text("\n".join(lines), encoding="utf-8")


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def _latencies(db: Database, tenant: str, mode: Mode, rng: random.Random) -> list[float]:
    embedder = RandomEmbedder()
    out: list[float] = []
    for i in range(QUERIES):
        query = " ".join(rng.choice(WORDS) for _ in range(3 + i % 4))
        with stopwatch() as elapsed:
            search(db, tenant, query, k=8, mode=mode, embedder=embedder, use_cache=False)
        out.append(elapsed() * 1000)
    return out


def _model_figures() -> list[Figure]:
    from hyperjourney.cli.knowledge_commands import demo_kb_path
    from hyperjourney.knowledge.chunking import chunk_markdown, embedding_text
    from hyperjourney.knowledge.readers import read_document

    root = demo_kb_path()
    texts = [
        embedding_text(doc.title, c.section, c.text)
        for doc in (read_document(p, root) for p in sorted(root.glob("*.md"))[:8])
        for c in chunk_markdown(doc.title, doc.body)
    ]
    model = LocalEmbedder()
    model.embed(["warm up"])
    with stopwatch() as elapsed:
        model.embed(texts)
    rate = len(texts) / elapsed()
    timings = []
    for q in ("how do I get a refund", "fintech case study reconciliation", "quiet hours for sms") * 5:
        with stopwatch() as one:
            model.embed([q])
        timings.append(one() * 1000)
    return [
        Figure("kb MiniLM (numpy) embed demo chunks", rate, "chunks/s", target="-"),
        Figure("kb MiniLM query embedding p50", statistics.median(timings), "ms", target="-", higher_is_better=False),
    ]


def _retriever_figures(db: Database) -> list[Figure]:
    from hyperjourney.cli.knowledge_commands import demo_kb_path
    from hyperjourney.knowledge.evaluation import evaluate, load_golden
    from hyperjourney.knowledge.llama_retrieval import LLAMA_MODES

    tenant = "bench-retrievers"
    db.create_tenant(tenant)
    model = LocalEmbedder()
    ingest_path(db, tenant, demo_kb_path(), embedder=model)
    golden = load_golden()
    figures: list[Figure] = []
    for s in evaluate(db, tenant, golden, modes=("hybrid", *LLAMA_MODES), embedder=model):
        figures += [
            Figure(f"kb {s.mode} recall@5 (dev golden, {s.questions} q)", s.recall_at_5, "", target="-"),
            Figure(f"kb {s.mode} latency p50 (demo kb)", s.latency_p50_ms, "ms", "-", higher_is_better=False),
            Figure(f"kb {s.mode} latency p95 (demo kb)", s.latency_p95_ms, "ms", "-", higher_is_better=False),
        ]
    return figures


def run() -> list[Figure]:
    sizes = [int(s) for s in os.environ.get("HJ_KB_BENCH_SIZES", "1000,10000,100000").split(",")]
    figures: list[Figure] = []
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="hj-kb-bench-") as tmp, scratch_database() as scratch:
        assert isinstance(scratch, Database)
        for size in sizes:
            tenant = f"bench-{size}"
            scratch.create_tenant(tenant)
            folder = Path(tmp) / str(size)
            _write_corpus(folder, size, rng)
            with stopwatch() as elapsed:
                report = ingest_path(scratch, tenant, folder, embedder=RandomEmbedder())
            figures.append(
                Figure(
                    f"kb ingest {report.chunks_written:,} chunks", report.chunks_written / elapsed(), "chunks/s", "-"
                )
            )
            with scratch.admin() as conn:
                conn.execute("ANALYZE kb_chunks")
            for mode in ("hybrid", "vector", "keyword"):
                lat = _latencies(scratch, tenant, mode, rng)
                p95 = _percentile(lat, 95)
                figures.append(
                    Figure(
                        f"kb {mode} search p50 @ {size:,}", statistics.median(lat), "ms", "-", higher_is_better=False
                    )
                )
                target_applies = mode == "hybrid" and size >= 100_000
                figures.append(
                    Figure(
                        f"kb {mode} search p95 @ {size:,}",
                        p95,
                        "ms",
                        f"< {P95_TARGET_MS:.0f} ms" if target_applies else "-",
                        higher_is_better=False,
                        meets_target=(p95 < P95_TARGET_MS) if target_applies else None,
                    )
                )
        figures.extend(_retriever_figures(scratch))
    figures.extend(_model_figures())
    return figures
