"""ragas scores for generated copy: non-LLM context recall always, the LLM-judged metrics when a judge tier is set.

Context recall (non-LLM) asks whether the evidence the copy cites contains the brief's required facts (the verbatim
quotes in the golden set). With a judge (see `ragas_judge`): faithfulness of the copy's claim sentences to the
evidence it cites (greetings and calls to action claim nothing, so they are not sent), and context precision and
recall of that evidence against the brief's required facts, in the judge's reading.
Without one the suite stays fully offline and reports only the first.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from hyperjourney.evals.ragas_compat import load_ragas
from hyperjourney.evals.ragas_judge import RAGAS, Judge, judge_for
from hyperjourney.evals.suite import EvalEnv

_CITE = re.compile(r"\s*\[cite:[^\]]*\]")
# metric -> what computes it, for the run's record
OFFLINE_SOURCES = {"context_recall": f"{RAGAS}:NonLLMContextRecall"}
JUDGED_SOURCES = {
    "faithfulness": f"{RAGAS}:Faithfulness",
    "context_precision": f"{RAGAS}:LLMContextPrecisionWithReference",
    "llm_context_recall": f"{RAGAS}:LLMContextRecall",
}


def without_citations(text: str) -> str:
    """Copy as a reader sees it: the judge grades statements, not the ``[cite:…]`` markers."""
    return _CITE.sub("", text)


@dataclass
class CopyJudges:
    recall: Any
    judge: Judge | None
    sample: Any

    def context_recall(self, cited: list[str], reference: list[str]) -> float:
        if not reference:
            return 1.0
        if not cited:
            return 0.0
        return float(self.recall.single_turn_score(self.sample(retrieved_contexts=cited, reference_contexts=reference)))

    def judged(self, goal: str, claims: str, cited_chunks: list[str], facts: list[str]) -> dict[str, float]:
        """The judge's scores that could be computed (none without a judge or without claims to judge)."""
        if self.judge is None:
            return {}
        reference = " ".join(f.rstrip(".") + "." for f in facts)
        scores = {
            "faithfulness": self.judge.faithfulness(goal, without_citations(claims), cited_chunks),
            "context_precision": self.judge.context_precision(goal, reference, cited_chunks),
            "llm_context_recall": self.judge.context_recall(goal, reference, cited_chunks),
        }
        return {k: v for k, v in scores.items() if v is not None}

    @property
    def sources(self) -> dict[str, str]:
        return OFFLINE_SOURCES | (JUDGED_SOURCES if self.judge is not None else {})


def judges(env: EvalEnv) -> CopyJudges:
    """The judges this eval tier allows: an LLM judge is the largest configured tier the tier permits."""
    return offline_judges(judge_for(env))


def offline_judges(judge: Judge | None = None) -> CopyJudges:
    """ragas' non-LLM context recall, plus ``judge`` when one is given."""
    load_ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import NonLLMContextRecall
    return CopyJudges(recall=NonLLMContextRecall(), judge=judge, sample=SingleTurnSample)
