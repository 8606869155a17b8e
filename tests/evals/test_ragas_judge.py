"""ragas' LLM metrics through a configured llm tier, over real HTTP to a judge that answers by evidence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from hyperjourney.db.database import Database
from hyperjourney.evals.compare import compare
from hyperjourney.evals.ragas_judge import GIVE_UP_AFTER, Judge, judge_for
from hyperjourney.evals.results import EvalRun, RunContext
from hyperjourney.evals.suite import EvalEnv
from hyperjourney.settings import LLMTier, Settings
from tests.openai_stub import _Server, openai_stub
from tests.ragas_judge_stub import judge_answer

CONTEXT = [
    "Refunds reach the original card within 5-7 business days after the warehouse receives the return.",
    "Standard shipping is free on orders over $75 in the US.",
]
QUESTION = "How long does a refund take to reach my card?"
GROUNDED = "Your refund reaches the original card within 5-7 business days after the warehouse receives the return."
INVENTED = "Refunds arrive instantly as store credit. Every order ships overnight for free worldwide."


def judged_settings(settings: Settings, server: _Server, model: str = "judge-model") -> Settings:
    host, port = server.server_address[:2]
    tier = LLMTier(base_url=f"http://{host!s}:{port}/v1", model=model)
    return settings.model_copy(update={"llm_small": tier})


@pytest.fixture
def judge(db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Judge, _Server]]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub(answer=judge_answer) as server:
        env = EvalEnv(db=db, tenant="judge-test", tier="llm-small", settings=judged_settings(settings, server))
        found = judge_for(env)
        assert found is not None
        yield found, server


def test_no_judge_on_the_small_tier_or_without_a_configured_tier(db: Database, settings: Settings) -> None:
    assert judge_for(EvalEnv(db=db, tenant="t", tier="small", settings=settings)) is None
    bare = settings.model_copy(update={"llm_small": LLMTier(), "llm_large": LLMTier()})
    assert judge_for(EvalEnv(db=db, tenant="t", tier="llm-large", settings=bare)) is None


def test_faithfulness_separates_grounded_from_invented_answers(judge: tuple[Judge, _Server]) -> None:
    j, server = judge
    assert j.label == "llm-small:judge-model"
    grounded = j.faithfulness(QUESTION, GROUNDED, CONTEXT)
    invented = j.faithfulness(QUESTION, INVENTED, CONTEXT)
    assert grounded == 1.0 and invented == 0.0
    partly = j.faithfulness(QUESTION, f"{GROUNDED} {INVENTED}", CONTEXT)
    assert partly is not None and 0.2 < partly < 0.8
    bodies = [r["body"] for r in server.requests]
    assert all(b["model"] == "judge-model" for b in bodies)
    assert any("5-7 business days" in str(b["messages"]) for b in bodies)  # the contexts reached the judge


def test_answer_relevancy_uses_the_project_embedder_and_penalises_evasion(judge: tuple[Judge, _Server]) -> None:
    j, server = judge
    on_topic = j.answer_relevancy(QUESTION, GROUNDED)
    off_topic = j.answer_relevancy(QUESTION, "Our spring jackets come in four colours and three fits.")
    evasive = j.answer_relevancy(QUESTION, "I don't know, sorry.")
    assert on_topic is not None and off_topic is not None
    assert on_topic > off_topic + 0.2
    assert evasive == 0.0
    asks = [r["body"] for r in server.requests if "Generate a question" in str(r["body"]["messages"])]
    assert len(asks) == 9 and all((b.get("n") or 1) == 1 for b in asks)  # 3 per answer, one choice each (llama.cpp)


def test_context_precision_and_recall_follow_the_evidence(judge: tuple[Judge, _Server]) -> None:
    j, _ = judge
    reference = "Refunds reach the original card within 5-7 business days."
    useful_first = j.context_precision(QUESTION, reference, CONTEXT)
    useful_last = j.context_precision(QUESTION, reference, list(reversed(CONTEXT)))
    assert useful_first == pytest.approx(1.0) and useful_last is not None and useful_last < 0.6
    assert j.context_recall(QUESTION, reference, CONTEXT) == 1.0
    assert j.context_recall(QUESTION, reference, [CONTEXT[1]]) == 0.0
    assert j.context_recall(QUESTION, reference, []) == 0.0


def test_compare_names_a_changed_judge_and_metric_source() -> None:
    def run(run_id: str, judge: str | None) -> EvalRun:
        sources = {"faithfulness": "ragas:Faithfulness"} if judge else {}
        context = RunContext(code_version="x", dataset="d", judge=judge, metric_sources=sources)
        return EvalRun(
            run_id=run_id, suite="copy", tier="llm-small", started_at=datetime.now(UTC), finished_at=None,
            context=context, metrics={"faithfulness": 0.9} if judge else {},
        )  # fmt: skip

    changes = {c.key: (c.a, c.b) for c in compare(run("a", None), run("b", "llm-small:judge-model")).changes}
    assert changes["judge"] == (None, "llm-small:judge-model")
    assert changes["metric_sources.faithfulness"] == (None, "ragas:Faithfulness")


def test_a_judge_that_answers_nonsense_is_counted_and_given_up_on(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with openai_stub(answer=lambda _prompt: "I would rather not say.") as server:
        env = EvalEnv(db=db, tenant="judge-test", tier="llm-small", settings=judged_settings(settings, server))
        j = judge_for(env)
        assert j is not None
        scores = [j.faithfulness(QUESTION, GROUNDED, CONTEXT) for _ in range(GIVE_UP_AFTER)]
        asked = len(server.requests)
        assert j.gave_up and j.context_recall(QUESTION, GROUNDED, CONTEXT) is None
        assert len(server.requests) == asked  # once given up, the judge is not asked again
    assert scores == [None] * GIVE_UP_AFTER and asked >= GIVE_UP_AFTER
    assert len(j.failures) == GIVE_UP_AFTER and j.failures[0].startswith("faithfulness: ")
