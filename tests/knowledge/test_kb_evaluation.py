"""Retrieval metrics, the golden set, and the acceptance bar: hybrid beats keyword and vector on recall@5."""

from __future__ import annotations

import pytest

from hyperjourney.db.database import Database
from hyperjourney.knowledge.evaluation import evaluate, load_golden, ndcg_at, recall_at, reciprocal_rank
from hyperjourney.knowledge.models import IngestReport


def test_metrics() -> None:
    ranked = ["x", "a", "a", "y", "b", "c"]
    assert recall_at(ranked, {"a", "b"}, 5) == 1.0
    assert recall_at(ranked, {"a", "c"}, 5) == 0.5
    assert reciprocal_rank(ranked, {"b"}) == pytest.approx(1 / 5)
    assert reciprocal_rank(ranked, {"z"}) == 0.0
    assert ndcg_at(["a", "b"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}, 10) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert ndcg_at(["a", "a"], {"a", "b"}, 10) < 1.0  # a second chunk of the same document earns nothing


def test_golden_set_is_big_and_covers_every_style() -> None:
    golden = load_golden()
    assert len(golden.questions) >= 80
    assert {"paraphrase", "keyword", "semantic", "filtered"} <= {q.style for q in golden.questions}
    assert any(q.filters for q in golden.questions)


def test_hybrid_beats_both_single_modes(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    tenant, _ = demo_kb
    golden = load_golden()
    known = {d.document_id for d in demo_kb[1].documents}
    assert {doc for q in golden.questions for doc in q.relevant} <= known
    scores = {s.mode: s for s in evaluate(db, tenant, golden)}
    hybrid = scores["hybrid"]
    assert hybrid.recall_at_5 > scores["vector"].recall_at_5
    assert hybrid.recall_at_5 > scores["keyword"].recall_at_5
    assert hybrid.recall_at_5 >= 0.85 and hybrid.mrr >= 0.8
