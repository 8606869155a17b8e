"""ragas' LLM-judged metrics (faithfulness, answer relevancy, context precision and recall) through the llm tiers.

The judge is the chat model of the largest LLM tier the eval's tier allows (``llm-small`` → llm-small only,
``llm-large`` → llm-large, else llm-small), the same ChatOpenAI client the router uses, so any OpenAI-compatible
endpoint works. Answer relevancy compares questions the judge generates back from an answer with the real question
by cosine similarity of the project's own embedder (the packaged MiniLM unless an embeddings endpoint is set): ragas
never downloads a model. On the small tier there is no judge and the suites report only their non-LLM checks.

A score ragas could not compute (the judge failed or answered something unparseable) is ``None``, its reason kept
in ``failures`` and counted by the caller, never averaged in as a zero or a NaN; after a few failures in a row the
judge stops asking, so an endpoint that went away costs seconds, not a timeout per item.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hyperjourney.evals.ragas_compat import load_ragas
from hyperjourney.evals.suite import EvalEnv
from hyperjourney.knowledge import embedder as embedder_mod
from hyperjourney.models import tiers as tiers_mod

# a judge that stops answering must not stall an eval run for ragas' default ten retries of three minutes
JUDGE_TIMEOUT_S = 60
JUDGE_RETRIES = 1
GIVE_UP_AFTER = 3  # failures in a row
RAGAS = "ragas"


def judge_tier(env: EvalEnv) -> tiers_mod.ChatTier | None:
    """The configured chat tier that judges at this eval tier; None on the small tier or when none is configured."""
    if env.tier == "small":
        return None
    allowed: tuple[tiers_mod.TierName, ...] = ("llm-small",) if env.tier == "llm-small" else ("llm-large", "llm-small")
    configured = tiers_mod.from_settings(env.settings)
    return next((configured.chats[t] for t in allowed if t in configured.chats), None)


@dataclass
class Judge:
    """ragas' LLM metrics bound to one judge model; ``label`` says which, for the run's record."""

    label: str
    faithfulness_metric: Any
    relevancy_metric: Any
    precision_metric: Any
    recall_metric: Any
    sample: Any
    failures: list[str] = field(default_factory=list)
    in_a_row: int = 0

    @property
    def gave_up(self) -> bool:
        return self.in_a_row >= GIVE_UP_AFTER

    def _score(self, metric: Any, sample: Any) -> float | None:
        if self.gave_up:
            return None
        try:
            value = float(metric.single_turn_score(sample))
        except Exception as exc:  # any judge failure: the eval of the product must not be lost with it
            value, why = math.nan, f"{type(exc).__name__}: {exc}"
        else:
            why = "the judge's answer could not be scored (NaN)"
        if math.isnan(value):
            self.in_a_row += 1
            self.failures.append(f"{metric.name}: {why}"[:300])
            return None
        self.in_a_row = 0
        return value

    def faithfulness(self, question: str, response: str, contexts: Sequence[str]) -> float | None:
        """Share of the response's statements the judge can infer from the contexts."""
        if not contexts or not response.strip():
            return None
        return self._score(
            self.faithfulness_metric,
            self.sample(user_input=question, response=response, retrieved_contexts=list(contexts)),
        )

    def answer_relevancy(self, question: str, response: str) -> float | None:
        """How closely questions generated back from the response match the real question (0 when evasive)."""
        if not response.strip():
            return None
        return self._score(self.relevancy_metric, self.sample(user_input=question, response=response))

    def context_precision(self, question: str, reference: str, contexts: Sequence[str]) -> float | None:
        """Average precision of the contexts, each judged useful or not for arriving at the reference."""
        if not contexts or not reference.strip():
            return None
        sample = self.sample(user_input=question, reference=reference, retrieved_contexts=list(contexts))
        return self._score(self.precision_metric, sample)

    def context_recall(self, question: str, reference: str, contexts: Sequence[str]) -> float | None:
        """Share of the reference's sentences the judge can attribute to the contexts."""
        if not reference.strip():
            return None
        if not contexts:
            return 0.0
        sample = self.sample(user_input=question, reference=reference, retrieved_contexts=list(contexts))
        return self._score(self.recall_metric, sample)


def ragas_embeddings(embedder: embedder_mod.Embedder) -> Any:
    """The project's embedder in ragas' embeddings interface (ragas would otherwise reach for a hub model)."""
    load_ragas()
    from ragas.embeddings.base import BaseRagasEmbeddings

    class ProjectEmbeddings(BaseRagasEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            return [float(x) for x in embedder.embed([text])[0]]

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in embedder.embed(texts)]

        async def aembed_query(self, text: str) -> list[float]:
            return self.embed_query(text)

        async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embed_documents(texts)

    return ProjectEmbeddings()


def judge_for(env: EvalEnv) -> Judge | None:
    """ragas' LLM metrics on the judge tier this eval tier allows; None when there is none (offline)."""
    tier = judge_tier(env)
    if tier is None:
        return None
    load_ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.llms import LangchainLLMWrapper
        from ragas.metrics import Faithfulness, LLMContextPrecisionWithReference, LLMContextRecall, ResponseRelevancy
        from ragas.run_config import RunConfig

        config = RunConfig(timeout=JUDGE_TIMEOUT_S, max_retries=JUDGE_RETRIES, max_wait=5)
        # n separate requests instead of one with n choices: llama.cpp's server refuses n > 1, Ollama ignores it
        llm = LangchainLLMWrapper(tier.chat, run_config=config, bypass_n=True)
        embeddings = ragas_embeddings(embedder_mod.from_settings(env.settings))
        metrics = (
            Faithfulness(llm=llm),
            ResponseRelevancy(llm=llm, embeddings=embeddings),
            LLMContextPrecisionWithReference(llm=llm),
            LLMContextRecall(llm=llm),
        )
    for metric in metrics:
        metric.init(config)
    return Judge(f"{tier.name}:{tier.model_name}", *metrics, sample=SingleTurnSample)
