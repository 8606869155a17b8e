"""Support copilot suite: the 100 held-out golden tickets through the copilot graph on the chosen tier.

Each ticket is inserted into the eval tenant (ids ``golden-tkt-…``) and run exactly as `hyperjourney agents
copilot` would; the suite compares the run's intent, sentiment, tone and escalation with the labels and grades the
drafted reply's citations against the evidence that run retrieved. With an LLM judge tier (see `ragas_judge`) it adds
ragas' faithfulness of the reply's claim sentences to that evidence and the answer relevancy of the reply to the
customer's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hyperjourney.evals import grounding
from hyperjourney.evals.copy_judges import without_citations
from hyperjourney.evals.golden import COPILOT_TICKETS, GoldenTicket, load_copilot_tickets
from hyperjourney.evals.golden_runs import PREFIX, GoldenTicketRow, TicketRun, eval_deps, insert_tickets, run_ticket
from hyperjourney.evals.ragas_judge import RAGAS, Judge, judge_for
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register

TONE_TOLERANCE = 0.2
TONE_KEYS = ("formality", "warmth", "brevity")
OWN_SOURCES = {
    "intent_accuracy": "own:golden labels",
    "sentiment_accuracy": "own:golden labels",
    "tone_agreement": "own:golden tone within 0.2",
    "escalation_precision": "own:golden labels",
    "escalation_recall": "own:golden labels",
    "reply_groundedness": "own:guardrails.citations per sentence",
}
JUDGED_SOURCES = {"reply_faithfulness": f"{RAGAS}:Faithfulness", "answer_relevancy": f"{RAGAS}:ResponseRelevancy"}
JUDGED = tuple(JUDGED_SOURCES)


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


@dataclass(frozen=True)
class CopilotSuite:
    name: str = "copilot"
    description: str = "intent/sentiment accuracy, tone agreement, escalation precision/recall, reply groundedness"
    limit: int | None = None  # a subset for quick checks; the CLI runs every ticket

    def dataset_files(self) -> list[Path]:
        return [COPILOT_TICKETS]

    def tickets(self) -> list[GoldenTicket]:
        items = load_copilot_tickets()
        return items[: self.limit] if self.limit else items

    def size(self) -> int:
        return len(self.tickets())

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        golden = self.tickets()
        rows = [GoldenTicketRow(PREFIX + t.id, t.subject, t.body, t.channel, t.language, t.business) for t in golden]
        insert_tickets(env.db, env.tenant, rows)
        deps = eval_deps(env)
        judge = judge_for(env)
        items: list[ItemResult] = []
        tp = fp = fn = intents = sentiments = tones = 0
        claims = grounded = 0
        seconds = 0.0
        for t in golden:
            run = run_ticket(env, deps, PREFIX + t.id)
            item, graded = self._grade(env, t, run, judge)
            items.append(item)
            intents += item.scores["intent"] == 1.0
            sentiments += item.scores["sentiment"] == 1.0
            tones += item.scores["tone"] == 1.0
            predicted = bool(item.scores["escalated"])
            tp += predicted and t.labels.escalate
            fp += predicted and not t.labels.escalate
            fn += (not predicted) and t.labels.escalate
            claims, grounded = claims + graded.claims, grounded + graded.grounded
            seconds += run.seconds
            advance(1)
        n = len(golden)
        metrics = {
            "intent_accuracy": _ratio(intents, n),
            "sentiment_accuracy": _ratio(sentiments, n),
            "tone_agreement": _ratio(tones, n),
            "escalation_precision": _ratio(tp, tp + fp),
            "escalation_recall": _ratio(tp, tp + fn),
            "reply_groundedness": _ratio(grounded, claims),
            "seconds_per_ticket": seconds / n if n else 0.0,
            "tickets": float(n),
        }
        if judge is not None:
            for name in JUDGED:
                values = [i.scores[name] for i in items if name in i.scores]
                metrics[name] = sum(values) / len(values) if values else 0.0
            metrics["judge_unscored"] = float(sum(any(n not in i.scores for n in JUDGED) for i in items))
            metrics["judge_failures"] = float(len(judge.failures))
        series = {
            "copilot: seconds per ticket": Series(
                kind="hist", y=[float(i.scores["seconds"]) for i in items], x_label="seconds per ticket"
            )
        }
        return SuiteResult(
            suite=self.name,
            metrics=metrics,
            items=items,
            series=series,
            judge=judge.label if judge else None,
            metric_sources=OWN_SOURCES | (JUDGED_SOURCES if judge else {}),
        )

    def _grade(
        self, env: EvalEnv, t: GoldenTicket, run: TicketRun, judge: Judge | None = None
    ) -> tuple[ItemResult, grounding.Grounding]:
        out = run.outcome
        with env.db.tenant(env.tenant) as conn:
            evidence = grounding.evidence_texts(conn, run.result.evidence)
        graded = grounding.grade(str(out.get("reply", "")), evidence)
        tone = out.get("tone") or {}
        diffs = {k: abs(float(tone.get(k) or 0.0) - getattr(t.tone, k)) for k in TONE_KEYS}
        escalated = run.result.status == "escalated" or bool(out.get("escalate"))
        scores = {
            "intent": float(out.get("intent") == t.labels.intent),
            "sentiment": float(out.get("sentiment") == t.labels.sentiment),
            "tone": float(all(d <= TONE_TOLERANCE for d in diffs.values())),
            "escalated": float(escalated),
            "groundedness": graded.share,
            "seconds": run.seconds,
        }
        judge_errors: list[str] = []
        if judge is not None:
            failed_before = len(judge.failures)
            question, reply = f"{t.subject}\n{t.body}", without_citations(str(out.get("reply", "")))
            judged = {
                "reply_faithfulness": judge.faithfulness(
                    question, " ".join(graded.claim_texts), [e.text for e in evidence]
                ),
                "answer_relevancy": judge.answer_relevancy(question, reply),
            }
            scores |= {k: v for k, v in judged.items() if v is not None}
            judge_errors = judge.failures[failed_before:]
        passed = scores["intent"] == scores["sentiment"] == 1.0 and escalated == t.labels.escalate
        detail = {
            "run_id": run.result.run_id,
            "expected": {"intent": t.labels.intent, "sentiment": t.labels.sentiment, "escalate": t.labels.escalate},
            "got": {"intent": out.get("intent"), "sentiment": out.get("sentiment"), "escalate": escalated},
            "tone_diff": {k: round(v, 3) for k, v in diffs.items()},
            "ungrounded": graded.failures,
        } | ({"judge_errors": judge_errors} if judge_errors else {})
        return ItemResult(item_id=t.id, passed=passed and not graded.failures, scores=scores, detail=detail), graded


register(CopilotSuite())
