"""The retrieval suite scores every search mode on the golden questions of the demo knowledge base."""

from __future__ import annotations

import pytest

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.knowledge.models import IngestReport
from hyperjourney.settings import get_settings


def test_hybrid_beats_both_single_modes_on_recall(db: Database, demo_kb: tuple[str, IngestReport]) -> None:
    env = EvalEnv(db=db, tenant=demo_kb[0], tier="small", settings=get_settings())
    run = runner.run_suite(env, REGISTRY["retrieval"], only="dev")
    assert run.metrics["hybrid.recall_at_5.dev"] > 0.8
    assert run.metrics["hybrid_margin.recall_at_5.dev"] > 0
    assert {"keyword.mrr.dev", "vector.ndcg_at_10.dev", "items.dev"} <= set(run.metrics)


def test_a_tenant_without_a_knowledge_base_is_told_what_to_run(db: Database, tenant: str) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    with pytest.raises(ValueError, match="kb ingest"):
        runner.run_suite(env, REGISTRY["retrieval"])
