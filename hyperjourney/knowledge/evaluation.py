"""Retrieval quality on a golden set: recall@5, MRR and nDCG@10 per search mode (the SQL modes and, when asked,
the llama-index retrievers of ``llama_retrieval``, scored the same way).

A question's relevant items are document ids; a ranked chunk (a citation) is relevant when it belongs to
one of them. Metrics are computed over the ranked citations as an agent would receive them: recall@5 is the
share of relevant documents cited in the top 5 chunks, MRR uses the rank of the first relevant chunk, and
nDCG@10 gains once per relevant document, at the rank of its first chunk.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, Field, ValidationError

from hyperjourney.db.database import Database
from hyperjourney.knowledge.embedder import Embedder, from_settings
from hyperjourney.knowledge.models import KnowledgeError, SearchFilters
from hyperjourney.knowledge.search import MODES, Mode, search
from hyperjourney.settings import get_settings

if TYPE_CHECKING:
    from hyperjourney.knowledge.llama_retrieval import LlamaMode

RECALL_AT = 5
NDCG_AT = 10


class GoldenQuestion(BaseModel):
    id: str
    question: str
    relevant: list[str] = Field(min_length=1)
    style: str = "paraphrase"
    filters: SearchFilters | None = None


class GoldenSet(BaseModel):
    version: int
    knowledge_base: str
    questions: list[GoldenQuestion]


class ModeScores(BaseModel):
    mode: str
    recall_at_5: float
    mrr: float
    ndcg_at_10: float
    questions: int
    misses: list[str] = Field(default_factory=list, description="ids of questions with nothing relevant in the top 5")
    latency_p50_ms: float = Field(0.0, description="median wall time of one question's retrieval (cache off)")
    latency_p95_ms: float = Field(0.0, description="95th percentile of the same")


def default_golden_path() -> Path:
    return Path(str(resources.files("hyperjourney.evals") / "datasets" / "retrieval_golden.yaml"))


def load_golden(path: Path | None = None) -> GoldenSet:
    source = path or default_golden_path()
    try:
        return GoldenSet.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError(f"{source}: not a valid golden retrieval set: {exc}") from exc


def recall_at(ranked: Sequence[str], relevant: set[str], n: int) -> float:
    return len(relevant.intersection(ranked[:n])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / i for i, doc in enumerate(ranked, 1) if doc in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: set[str], n: int) -> float:
    seen: set[str] = set()
    dcg = 0.0
    for i, doc in enumerate(ranked[:n], 1):
        if doc in relevant and doc not in seen:
            seen.add(doc)
            dcg += 1.0 / math.log2(i + 1)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), n) + 1))
    return dcg / ideal


def evaluate(
    db: Database,
    tenant: str,
    golden: GoldenSet,
    *,
    modes: Sequence[Mode | LlamaMode] = MODES,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ModeScores]:
    """Score every mode on every question (the retrieval cache is bypassed so each mode really runs)."""
    results: list[ModeScores] = []
    total = len(golden.questions) * len(modes)
    done = 0
    for mode in modes:
        ranked_for = _ranker(db, tenant, mode, embedder)
        recall = mrr = ndcg = 0.0
        misses: list[str] = []
        timings: list[float] = []
        for q in golden.questions:
            started = time.perf_counter()
            ranked = ranked_for(q)
            timings.append((time.perf_counter() - started) * 1000)
            relevant = set(q.relevant)
            r = recall_at(ranked, relevant, RECALL_AT)
            recall += r
            mrr += reciprocal_rank(ranked, relevant)
            ndcg += ndcg_at(ranked, relevant, NDCG_AT)
            if r == 0:
                misses.append(q.id)
            done += 1
            if progress:
                progress(done, total)
        n = len(golden.questions)
        p50, p95 = statistics.median(timings), _p95(timings)
        scores = ModeScores(
            mode=mode, recall_at_5=recall / n, mrr=mrr / n, ndcg_at_10=ndcg / n, questions=n, misses=misses,
            latency_p50_ms=p50, latency_p95_ms=p95,
        )  # fmt: skip
        results.append(scores)
    return results


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _ranker(
    db: Database, tenant: str, mode: Mode | LlamaMode, embedder: Embedder | None
) -> Callable[[GoldenQuestion], list[str]]:
    """The document ids of a question's top ``NDCG_AT`` chunks, best first, for one mode; every mode reads the index
    as a whole (``internal``): the golden set asks for staff documents too."""
    if mode not in MODES:
        # imported here: llama-index loads in seconds, and the SQL modes (and the CLI's other commands) never need it
        from hyperjourney.knowledge.llama_retrieval import LLAMA_MODES, retriever, tenant_index

        if mode not in LLAMA_MODES:
            raise KnowledgeError(f"unknown mode {mode!r}; choose one of {', '.join((*MODES, *LLAMA_MODES))}")
        index = tenant_index(db, tenant, embedder or from_settings(get_settings()), audience="internal")
        llama_mode: LlamaMode = mode

        def llama(q: GoldenQuestion) -> list[str]:
            found = retriever(index, llama_mode, k=NDCG_AT, filters=q.filters).retrieve(q.question)
            return [n.node.ref_doc_id or "" for n in found]

        return llama
    sql_mode: Mode = mode

    def sql(q: GoldenQuestion) -> list[str]:
        hits = search(
            db, tenant, q.question, filters=q.filters, k=NDCG_AT, mode=sql_mode, embedder=embedder, use_cache=False,
            audience="internal",
        )  # fmt: skip
        return [h.document_id for h in hits]

    return sql
