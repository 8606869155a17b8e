"""ragas scores for generated copy: non-LLM context recall always, faithfulness only with an LLM judge tier.

Context recall asks whether the evidence the copy cites contains the brief's required facts (the quotes in the
golden set); faithfulness asks an LLM whether the copy's statements follow from that evidence. Without a
configured judge the suite stays fully offline and reports only the first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from hyperjourney.evals.ragas_compat import load_ragas
from hyperjourney.evals.suite import EvalEnv
from hyperjourney.models import tiers as tiers_mod


@dataclass
class CopyJudges:
    recall: Any
    faithfulness: Any | None
    sample: Any

    def context_recall(self, cited: list[str], reference: list[str]) -> float:
        if not reference:
            return 1.0
        if not cited:
            return 0.0
        return float(self.recall.single_turn_score(self.sample(retrieved_contexts=cited, reference_contexts=reference)))

    def faithful(self, goal: str, copy: str, cited: list[str]) -> float | None:
        if self.faithfulness is None or not cited:
            return None
        sample = self.sample(user_input=goal, response=copy, retrieved_contexts=cited)
        return float(self.faithfulness.single_turn_score(sample))


def judges(env: EvalEnv) -> CopyJudges:
    """The judges this eval tier allows: an LLM judge is the largest configured tier the tier permits."""
    load_ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import Faithfulness, NonLLMContextRecall
    faithfulness = None
    if env.tier != "small":
        allowed = ("llm-small",) if env.tier == "llm-small" else ("llm-large", "llm-small")
        configured = tiers_mod.from_settings(env.settings)
        judge = next((configured.chats[t] for t in allowed if t in configured.chats), None)
        if judge is not None:
            from ragas.llms import LangchainLLMWrapper

            faithfulness = Faithfulness(llm=LangchainLLMWrapper(judge.chat))
    return CopyJudges(recall=NonLLMContextRecall(), faithfulness=faithfulness, sample=SingleTurnSample)
