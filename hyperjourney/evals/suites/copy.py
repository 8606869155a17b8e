"""Copy grounding suite: each of the 60 briefs goes through the canvas's copy path (the Researcher's goal brief,
then the Copywriter's grounded variants, the same functions the canvas graph calls), recorded as a canvas run
so its steps count in the cost suite, and the variants are graded against the evidence the Copywriter retrieved.

Per variant: citation coverage (claim sentences with a citation), groundedness and number support (the guardrails
citation check, sentence by sentence), banned claims (the brief's traps plus the guardrails banned-claims
validator: must be 0), and ragas context recall of the brief's required facts in the cited evidence. The route
decision and the journey proposal are left out: on the small tier the goal router hands unfamiliar goals to a
person, which would leave nothing to grade, and a journey is not copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from psycopg.types.json import Jsonb

from hyperjourney.agents import copywriter, researcher
from hyperjourney.evals import grounding
from hyperjourney.evals.copy_judges import CopyJudges, judges
from hyperjourney.evals.golden import COPY_BRIEFS, CopyBrief, load_copy_briefs
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.results import ItemResult, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.graphs.outcomes import run_totals
from hyperjourney.graphs.wiring import Deps
from hyperjourney.guardrails.claims import check_banned
from hyperjourney.guardrails.copy_text import sentences
from hyperjourney.guardrails.models import Asset, AssetKind, Evidence
from hyperjourney.guardrails.rules import demo_rules


def draft(env: EvalEnv, deps: Deps, goal: str) -> tuple[str, copywriter.CopySet]:
    """Research the goal and draft variants as the canvas does, recording both agents' steps under one run."""
    run_id = f"run-evalcopy-{uuid.uuid4().hex[:12]}"
    deps.recorder.ensure_run(env.tenant, run_id, "canvas", {"goal": goal, "eval": "copy"})
    ctx = deps.context(env.tenant, run_id, "canvas")
    research = researcher.research_goal(ctx, goal)
    written = copywriter.write_variants(ctx, researcher.ResearchBrief.model_validate(research.output))
    for node, result in (("researcher", research), ("copywriter", written)):
        for step in result.steps:
            deps.recorder.step(env.tenant, run_id, node=node, agent=node, step=step)
    summary = run_totals(env.db, env.tenant, run_id).model_dump() | {"ports": deps.port_names}
    with env.db.tenant(env.tenant) as conn:
        conn.execute(
            "UPDATE agent_runs SET status = 'completed', summary = %s, updated_at = now() WHERE run_id = %s",
            (Jsonb(summary), run_id),
        )
    return run_id, copywriter.CopySet.model_validate(written.output)


def canvas_goal(brief: CopyBrief) -> str:
    return f"{brief.goal} for {brief.audience} ({brief.offer})"


@dataclass(frozen=True)
class Graded:
    item: ItemResult
    claims: int
    cited: int
    grounded: int
    unsupported_numbers: int
    banned: int
    drafted: bool


@dataclass(frozen=True)
class CopySuite:
    name: str = "copy"
    description: str = "citation coverage, groundedness, number support and banned claims of canvas copy"
    limit: int | None = None  # a subset for quick checks; the CLI runs every brief

    def dataset_files(self) -> list[Path]:
        return [COPY_BRIEFS]

    def briefs(self) -> list[CopyBrief]:
        items = load_copy_briefs()
        return items[: self.limit] if self.limit else items

    def size(self) -> int:
        return len(self.briefs())

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        deps = eval_deps(env)
        judge = judges(env)
        graded = []
        for brief in self.briefs():
            graded.append(self._brief(env, deps, judge, brief))
            advance(1)
        claims = sum(g.claims for g in graded)
        recalls = [g.item.scores["context_recall"] for g in graded if g.drafted]
        faithful = [g.item.scores["faithfulness"] for g in graded if "faithfulness" in g.item.scores]
        metrics = {
            "citation_coverage": sum(g.cited for g in graded) / claims if claims else 1.0,
            "groundedness": sum(g.grounded for g in graded) / claims if claims else 1.0,
            "number_support": 1.0 - sum(g.unsupported_numbers for g in graded) / claims if claims else 1.0,
            "banned_claim_violations": float(sum(g.banned for g in graded)),
            "drafted_share": sum(g.drafted for g in graded) / len(graded) if graded else 0.0,
            "context_recall": sum(recalls) / len(recalls) if recalls else 0.0,
            "briefs": float(len(graded)),
        }
        if faithful:
            metrics["faithfulness"] = sum(faithful) / len(faithful)
        return SuiteResult(suite=self.name, metrics=metrics, items=[g.item for g in graded])

    def _brief(self, env: EvalEnv, deps: Deps, judge: CopyJudges, brief: CopyBrief) -> Graded:
        run_id, copy_set = draft(env, deps, canvas_goal(brief))
        variants = [v.model_dump(mode="json") for v in copy_set.variants]
        evidence = [
            Evidence(citation_id=e.citation_id, text=e.text or e.snippet, title=e.title) for e in copy_set.evidence
        ]
        rules = demo_rules()
        claims = cited = grounded = unsupported = banned = 0
        problems: list[str] = []
        texts: list[str] = []
        cited_ids: set[str] = set()
        for v in variants:
            body, subject = str(v.get("body", "")), v.get("subject")
            kind: AssetKind = "sms" if v.get("channel") == "sms" else "email"
            g = grounding.grade(body, evidence, kind=kind)
            claims, cited, grounded = claims + g.claims, cited + g.cited, grounded + g.grounded
            unsupported += g.numbers_unsupported
            full = f"{subject or ''}\n{body}"
            traps = [t.claim for t in brief.violations(full)]
            validator = [f.message for f in check_banned(Asset(kind=kind, subject=subject, body=body), [], rules)]
            banned += len(traps) + len(validator)
            problems += g.failures + [f"trap: {t}" for t in traps] + validator
            texts.append(full)
            cited_ids |= set(v.get("citations", []))
        # sentence by sentence, so a required quote is compared with the sentence that says it, not a whole chunk
        cited_text = [s.text for e in evidence if e.citation_id in cited_ids for s in sentences(e.text)]
        copy = "\n".join(texts)
        scores = {
            "context_recall": judge.context_recall(cited_text, [f.quote for f in brief.required_facts]),
            "groundedness": grounded / claims if claims else 1.0,
            "required_numbers_missing": float(len(brief.missing_numbers(copy))),
        }
        faithful = judge.faithful(brief.goal, copy, cited_text)
        if faithful is not None:
            scores["faithfulness"] = faithful
        item = ItemResult(
            item_id=brief.id,
            passed=bool(variants) and banned == 0 and not problems,
            scores=scores,
            detail={"run_id": run_id, "variants": len(variants), "problems": problems},
        )
        return Graded(item, claims, cited, grounded, unsupported, banned, bool(variants))


register(CopySuite())
