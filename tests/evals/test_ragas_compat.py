"""ragas imports and scores beside our stack; an upstream fix or a new break shows up here."""

from __future__ import annotations

import sys

from hyperjourney.evals.ragas_compat import MISSING_MODULE, install_placeholder, load_ragas


def test_ragas_imports_and_scores_a_non_llm_metric() -> None:
    ragas = load_ragas()
    from ragas.dataset_schema import SingleTurnSample
    from ragas.metrics import NonLLMContextRecall

    assert ragas.__version__
    metric = NonLLMContextRecall()
    hit = SingleTurnSample(
        retrieved_contexts=["Refunds reach your card in 5-7 business days.", "Shipping is free over $75."],
        reference_contexts=["Refunds reach your card in 5-7 business days."],
    )
    miss = SingleTurnSample(
        retrieved_contexts=["Boards costs $8 per seat per month."],
        reference_contexts=["Refunds reach your card in 5-7 business days."],
    )
    assert metric.single_turn_score(hit) == 1.0
    assert metric.single_turn_score(miss) == 0.0


def test_placeholder_is_only_a_stand_in_for_the_removed_module() -> None:
    load_ragas()
    shimmed = install_placeholder()
    if shimmed:
        placeholder = sys.modules[MISSING_MODULE]
        try:
            placeholder.ChatVertexAI()
        except RuntimeError as exc:
            assert "Vertex AI" in str(exc)
        else:
            raise AssertionError("the placeholder must refuse to construct")


def test_ragas_usage_analytics_are_off() -> None:
    load_ragas()
    from ragas._analytics import do_not_track

    assert do_not_track() is True
