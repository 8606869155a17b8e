"""Retrieval relevance suite: the knowledge issue's golden questions, every search mode, recall@5 / MRR / nDCG@10."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.knowledge.evaluation import MODES, default_golden_path, evaluate, load_golden


@dataclass(frozen=True)
class RetrievalSuite:
    name: str = "retrieval"
    description: str = "recall@5, MRR and nDCG@10 of keyword, vector and hybrid search on the golden questions"
    dataset: Path = field(default_factory=default_golden_path)  # the dev split; the runner adds the held-out one

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def with_dataset(self, path: Path) -> RetrievalSuite:
        return replace(self, dataset=path)

    def size(self) -> int:
        return len(load_golden(self.dataset).questions) * len(MODES)

    def item_texts(self) -> list[tuple[str, str]]:
        return [(q.id, q.question) for q in load_golden(self.dataset).questions]

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        with env.db.tenant(env.tenant) as conn:
            row = conn.execute("SELECT count(*) FROM kb_chunks").fetchone()
        if not row or not row[0]:
            raise ValueError(
                f"tenant {env.tenant!r} has no knowledge base; ingest it first (`hyperjourney kb ingest` or `demo`)"
            )
        golden = load_golden(self.dataset)
        done = [0]

        def tick(finished: int, _total: int) -> None:
            advance(finished - done[0])
            done[0] = finished

        scores = {s.mode: s for s in evaluate(env.db, env.tenant, golden, progress=tick)}
        metrics: dict[str, float] = {}
        for mode, s in scores.items():
            metrics |= {f"{mode}.recall_at_5": s.recall_at_5, f"{mode}.mrr": s.mrr, f"{mode}.ndcg_at_10": s.ndcg_at_10}
        singles = [scores[m].recall_at_5 for m in scores if m != "hybrid"]
        metrics["hybrid_margin.recall_at_5"] = scores["hybrid"].recall_at_5 - max(singles)
        misses = set(scores["hybrid"].misses)
        items = [
            ItemResult(
                item_id=q.id,
                passed=q.id not in misses,
                detail={}
                if q.id not in misses
                else {"question": q.question, "relevant": q.relevant, "why": "nothing relevant in the hybrid top 5"},
            )
            for q in golden.questions
        ]
        series = {
            "recall@5 by mode": Series(
                kind="bar", x=list(scores), y=[s.recall_at_5 for s in scores.values()], y_label="recall@5"
            )
        }
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series)


register(RetrievalSuite())
