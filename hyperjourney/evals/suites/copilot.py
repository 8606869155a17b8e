"""Support copilot suite: the golden tickets (dev: 100 generated and 40 hand-written) through the copilot graph.

Each ticket is inserted into the eval tenant (ids ``golden-tkt-…``) and run exactly as `hyperjourney agents
copilot` would; the suite compares the run's intent, sentiment, tone and escalation with the labels and grades the
drafted reply's citations against the evidence that run retrieved. With an LLM judge tier (see `ragas_judge`) it adds
ragas' faithfulness of the reply's claim sentences to that evidence and the answer relevancy of the reply to the
customer's message.

Independent reply graders (`graders`, no code shared with the copywriter or the guardrails): the reply cites a
document that answers the ticket (`answer_docs`), states the values of the record facts a good reply uses
(`record_facts`), and is written in the ticket's language. The first two are measured only on tickets labelled with
them (the held-out set); the dev tickets carry no such labels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hyperjourney.evals import graders, grounding
from hyperjourney.evals.copy_judges import without_citations
from hyperjourney.evals.golden import COPILOT_TICKETS, COPILOT_TICKETS_HANDWRITTEN, GoldenTicket, load_copilot_tickets
from hyperjourney.evals.golden_runs import PREFIX, GoldenTicketRow, TicketRun, eval_deps, insert_tickets, run_ticket
from hyperjourney.evals.ragas_judge import RAGAS, Judge, judge_for
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.guardrails import tone_policy
from hyperjourney.guardrails.tone_policy import TonePolicy
from hyperjourney.guardrails.tone_store import active_tone_policy

TONE_TOLERANCE = 0.2
SAMPLE_CHARS = 400
TONE_KEYS = ("formality", "warmth", "brevity")
OWN_SOURCES = {
    "intent_accuracy": "own:golden labels",
    "sentiment_accuracy": "own:golden labels",
    "tone_agreement": "own:golden tone within 0.2",
    "escalation_precision": "own:golden labels",
    "escalation_recall": "own:golden labels",
    "reply_groundedness": "own:guardrails.citations per sentence",
    "answer_doc_retrieval": "independent:evals.graders (cited KB documents vs answer_docs)",
    "record_fact_use": "independent:evals.graders (record values in the reply)",
    "reply_language_match": "independent:evals.graders + langdetect",
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
    dataset: Path = COPILOT_TICKETS  # the dev split; the runner points a copy at the held-out one
    extra: tuple[Path, ...] = (COPILOT_TICKETS_HANDWRITTEN,)  # dev-only additions (no held-out twin)

    def dataset_files(self) -> list[Path]:
        return [self.dataset, *self.extra]

    def with_dataset(self, path: Path) -> CopilotSuite:
        return replace(self, dataset=path, extra=())

    def tickets(self) -> list[GoldenTicket]:
        items = [t for f in self.dataset_files() for t in load_copilot_tickets(f)]
        return items[: self.limit] if self.limit else items

    def size(self) -> int:
        return len(self.tickets())

    def item_texts(self) -> list[tuple[str, str]]:
        return [(t.id, f"{t.subject}\n{t.body}") for t in self.tickets()]

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        golden = self.tickets()
        rows = [GoldenTicketRow(PREFIX + t.id, t.subject, t.body, t.channel, t.language, t.business) for t in golden]
        insert_tickets(env.db, env.tenant, rows)
        deps = eval_deps(env)
        judge = judge_for(env)
        with env.db.tenant(env.tenant) as conn:
            policy = active_tone_policy(conn)  # the version the Tone agent answers with
        items: list[ItemResult] = []
        for t in golden:
            items.append(self._grade(env, t, run_ticket(env, deps, PREFIX + t.id), policy, judge))
            advance(1)
        metrics = copilot_metrics(golden, items)
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
        self, env: EvalEnv, t: GoldenTicket, run: TicketRun, policy: TonePolicy, judge: Judge | None = None
    ) -> ItemResult:
        out = run.outcome
        with env.db.tenant(env.tenant) as conn:
            customer = str((out.get("ticket") or {}).get("customer_id") or "") or None
            evidence = grounding.evidence_texts(conn, run.result.evidence, customer)
        graded = grounding.grade(str(out.get("reply", "")), evidence)
        escalated = run.result.status == "escalated" or bool(out.get("escalate"))
        cited, record = ticket_context(env, run.ticket_id, out, t.record_facts)
        item = grade_outcome(t, out, escalated, graded, cited_docs=cited, record=record, policy=policy)
        item.scores["seconds"] = run.seconds
        item.detail["run_id"] = run.result.run_id
        cited_ids = set(out.get("citations", []))
        item.detail["sample"] = {
            "input": f"{t.subject}\n{t.body}"[:SAMPLE_CHARS],
            "output": str(out.get("reply") or "(no reply drafted: escalated to a person)"),
            "cited": [f"{e.citation_id}: {e.text[:SAMPLE_CHARS]}" for e in evidence if e.citation_id in cited_ids][:3],
        }
        if judge is not None:
            failed_before = len(judge.failures)
            question, reply = f"{t.subject}\n{t.body}", without_citations(str(out.get("reply", "")))
            judged = {
                "reply_faithfulness": judge.faithfulness(
                    question, " ".join(graded.claim_texts), [e.text for e in evidence]
                ),
                "answer_relevancy": judge.answer_relevancy(question, reply),
            }
            item.scores |= {k: v for k, v in judged.items() if v is not None}
            if judge.failures[failed_before:]:
                item.detail["judge_errors"] = judge.failures[failed_before:]
        return item


def ticket_context(
    env: EvalEnv, ticket_id: str, out: dict[str, Any], fields: list[str]
) -> tuple[list[str], dict[str, str | None]]:
    """The KB file stems the reply cites, and the labelled record fields of the ticket's customer."""
    doc_ids = sorted({str(c).rpartition("#")[0] for c in out.get("citations", [])})
    with env.db.tenant(env.tenant) as conn:
        sources = conn.execute("SELECT source FROM kb_documents WHERE document_id = ANY(%s)", (doc_ids,)).fetchall()
        row = conn.execute(
            "SELECT to_jsonb(c) - 'attributes' || c.attributes FROM customers c "
            "JOIN tickets t ON t.customer_id = c.customer_id WHERE t.ticket_id = %s",
            (ticket_id,),
        ).fetchone()
    record: dict[str, Any] = dict(row[0]) if row else {}
    stems = [Path(str(r[0])).stem for r in sources]
    return stems, {f: (None if record.get(f) is None else str(record[f])) for f in fields}


def grade_outcome(
    t: GoldenTicket,
    out: dict[str, Any],
    escalated: bool,
    graded: grounding.Grounding,
    *,
    cited_docs: list[str] | None = None,
    record: dict[str, str | None] | None = None,
    policy: TonePolicy | None = None,
) -> ItemResult:
    """One ticket's copilot outcome against its labels; pure, so a test can feed it deliberately bad outcomes.

    The expected tone is what ``policy`` (the tenant's, which the Tone agent read) asks for in the ticket's labelled
    situation; without one, the tone numbers stored with the label (the default policy's)."""
    tone = out.get("tone") or {}
    expected = tone_policy.tone_for(t.tone.situation, t.business, policy) if policy is not None else t.tone
    diffs = {k: abs(float(tone.get(k) or 0.0) - getattr(expected, k)) for k in TONE_KEYS}
    scores = {
        "intent": float(out.get("intent") == t.labels.intent),
        "sentiment": float(out.get("sentiment") == t.labels.sentiment),
        "tone": float(all(d <= TONE_TOLERANCE for d in diffs.values())),
        "escalated": float(escalated),
        "groundedness": graded.share,
        "claims": float(graded.claims),
        "grounded_claims": float(graded.grounded),
    }
    reply = graders.without_markers(str(out.get("reply") or ""))
    reply_scores = {
        "answer_doc": graders.answer_doc_hit(cited_docs or [], t.answer_docs),
        "record_facts": graders.record_fact_use(reply, record or {}),
        "language": graders.language_match(reply, t.language) if reply.strip() else None,
    }
    scores |= {k: float(v) for k, v in reply_scores.items() if v is not None}
    passed = scores["intent"] == scores["sentiment"] == 1.0 and escalated == t.labels.escalate
    detail = {
        "expected": {"intent": t.labels.intent, "sentiment": t.labels.sentiment, "escalate": t.labels.escalate},
        "got": {"intent": out.get("intent"), "sentiment": out.get("sentiment"), "escalate": escalated},
        "tone_diff": {k: round(v, 3) for k, v in diffs.items()},
        "ungrounded": graded.failures,
    }
    return ItemResult(item_id=t.id, passed=passed and not graded.failures, scores=scores, detail=detail)


def copilot_metrics(golden: list[GoldenTicket], items: list[ItemResult]) -> dict[str, float]:
    """The suite's figures from graded items: escalation is scored against the labels the escalation policy gives."""
    tp = fp = fn = 0
    for t, item in zip(golden, items, strict=True):
        predicted = bool(item.scores["escalated"])
        tp += predicted and t.labels.escalate
        fp += predicted and not t.labels.escalate
        fn += (not predicted) and t.labels.escalate
    n = len(golden)
    claims = sum(i.scores["claims"] for i in items)
    return {
        "intent_accuracy": _ratio(sum(i.scores["intent"] == 1.0 for i in items), n),
        "sentiment_accuracy": _ratio(sum(i.scores["sentiment"] == 1.0 for i in items), n),
        "tone_agreement": _ratio(sum(i.scores["tone"] == 1.0 for i in items), n),
        "escalation_precision": _ratio(tp, tp + fp),
        "escalation_recall": _ratio(tp, tp + fn),
        "reply_groundedness": sum(i.scores["grounded_claims"] for i in items) / claims if claims else 1.0,
        "seconds_per_ticket": sum(i.scores.get("seconds", 0.0) for i in items) / n if n else 0.0,
        "tickets": float(n),
    } | _labelled_means(items)


def _labelled_means(items: list[ItemResult]) -> dict[str, float]:
    """Reply-grader figures over the tickets that carry their label (a metric no ticket is labelled for is absent)."""
    out = {}
    for score, metric in (
        ("answer_doc", "answer_doc_retrieval"),
        ("record_facts", "record_fact_use"),
        ("language", "reply_language_match"),
    ):
        values = [i.scores[score] for i in items if score in i.scores]
        if values:
            out[metric] = sum(values) / len(values)
            out[f"{metric}_items"] = float(len(values))
    return out


register(CopilotSuite())
