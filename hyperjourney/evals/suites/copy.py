"""Copy grounding suite: each of the 60 briefs goes through the real canvas graph, as a user's goal would.

`start_canvas` routes the goal, researches it, sizes it, drafts cited variants and proposes a journey, then stops at
the approval interrupt; the suite grades the variants in that interrupt's payload (what a person is asked to
approve) against the evidence the run retrieved, then rejects the run so nothing launches. A goal the router sends
to a person, or to a plan that writes no copy, is a failure of the brief, counted in `routed_to_person` and
`drafted_share`, never skipped.

Independent graders (`graders`, sharing no code with the copywriter or the guardrails) read each variant as the
customer would get it (rendered by the launch path's renderer): required-fact recall over the brief's copy (gated;
a brief left without copy states nothing), business match, language, channel limits, required disclaimers and
opt-out texts, no citation markers, no dangling-pronoun opening, readability.

Per brief: citation coverage (claim sentences with a citation), groundedness and number support (the guardrails
citation check, sentence by sentence), banned claims (the brief's traps plus the guardrails banned-claims validator:
must be 0), ragas' non-LLM context recall of the brief's required facts in the cited evidence, and, with an LLM
judge tier, ragas' faithfulness, context precision and context recall (see `copy_judges`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hyperjourney.agents.campaign_copy import CampaignBrief
from hyperjourney.assets.marked import MarkedCopyError, parse_marked
from hyperjourney.assets.render import CHANNEL_KINDS, RenderError, render
from hyperjourney.evals import grounding
from hyperjourney.evals.copy_judges import CopyJudges, judges
from hyperjourney.evals.golden import COPY_BRIEFS, CopyBrief, load_copy_briefs
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.graders import CopyGrade, fact_recall, grade_copy
from hyperjourney.evals.graders import copy_metrics as grader_metrics
from hyperjourney.evals.results import ItemResult, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.graphs import runs
from hyperjourney.graphs.nodes import ApprovalDecision
from hyperjourney.graphs.wiring import Deps
from hyperjourney.guardrails.claims import check_banned
from hyperjourney.guardrails.copy_text import sentences
from hyperjourney.guardrails.models import Asset, AssetKind, Evidence
from hyperjourney.guardrails.rules import demo_rules
from hyperjourney.guardrails.tone import ToneAttributes

OWN_SOURCES = {
    "citation_coverage": "own:guardrails.citations per sentence",
    "groundedness": "own:guardrails.citations per sentence",
    "number_support": "own:guardrails.citations per sentence",
    "banned_claim_violations": "own:golden traps + guardrails.claims",
    "required_fact_recall": "independent:evals.graders (rendered text)",
    "business_match": "independent:evals.graders (rendered text)",
    "language_match": "independent:evals.graders + langdetect",
    "channel_limits_ok": "independent:evals.graders (brand-voice limits)",
    "disclaimer_present": "independent:evals.graders (legal disclaimer, opt-out texts)",
    "no_citation_markers": "independent:evals.graders (rendered text)",
    "no_dangling_pronoun": "independent:evals.graders (rendered text)",
    "readable": "independent:evals.graders (words per sentence)",
}
LOCALE = "en"  # a variant that records no locale was written in English
REJECTION = ApprovalDecision(action="reject", reviewer="eval:copy", comment="graded by the copy eval; not launched")


def canvas_goal(brief: CopyBrief) -> str:
    return f"{brief.goal} for {brief.audience} ({brief.offer})"


def campaign_of(brief: CopyBrief) -> CampaignBrief:
    """The brief's fields as the canvas takes them, typed: channel, business, offer, audience, tone, language."""
    return CampaignBrief(
        channel=brief.channel if brief.channel in ("email", "sms", "push", "in_app") else None,
        business=brief.business, offer=brief.offer, audience=brief.audience, locale=brief.language,
        region=brief.region, tone=ToneAttributes(**brief.tone.model_dump()),
    )  # fmt: skip


@dataclass(frozen=True)
class Drafted:
    """What the canvas made of one goal: the plan it routed to and the variants a person would see."""

    run_id: str
    plan: str
    variants: list[dict[str, Any]]
    evidence: list[Evidence]
    review: list[str] = field(default_factory=list)


def draft(env: EvalEnv, deps: Deps, goal: str, campaign: CampaignBrief | None = None) -> Drafted:
    """Run the canvas up to its approval interrupt, take the variants from its payload, then reject the run."""
    result = runs.start_canvas(env.db, env.tenant, goal, campaign=campaign, deps=deps)
    variants: list[dict[str, Any]] = []
    if result.status == "awaiting_approval" and result.approval is not None:
        escalated = result.approval.get("kind") == "escalation"  # routed to a person: no copy yet
        plan, variants = ("person", []) if escalated else ("campaign", list(result.approval.get("variants", [])))
        runs.resume(env.db, env.tenant, result.run_id, REJECTION, deps=deps)
    elif result.status == "escalated":
        plan = "person"
    elif "copywriter" in result.outcome:
        plan, variants = "copy", list(result.outcome["copywriter"].get("variants", []))
    else:
        plan = "insight"
    with env.db.tenant(env.tenant) as conn:
        evidence = grounding.evidence_texts(conn, result.evidence)
    return Drafted(result.run_id, plan, variants, evidence, list(result.review))


@dataclass(frozen=True)
class Graded:
    item: ItemResult
    claims: int
    cited: int
    grounded: int
    unsupported_numbers: int
    banned: int
    drafted: bool
    plan: str
    grades: list[CopyGrade] = field(default_factory=list)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class CopySuite:
    name: str = "copy"
    description: str = "citation coverage, groundedness, number support and banned claims of canvas copy"
    limit: int | None = None  # a subset for quick checks; the CLI runs every brief
    dataset: Path = COPY_BRIEFS  # the dev split; the runner points a copy at the held-out one

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def with_dataset(self, path: Path) -> CopySuite:
        return replace(self, dataset=path)

    def briefs(self) -> list[CopyBrief]:
        items = load_copy_briefs(self.dataset)
        return items[: self.limit] if self.limit else items

    def size(self) -> int:
        return len(self.briefs())

    def item_texts(self) -> list[tuple[str, str]]:
        return [(b.id, canvas_goal(b)) for b in self.briefs()]

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        deps = eval_deps(env)
        judge = judges(env)
        graded = []
        for brief in self.briefs():
            graded.append(self._brief(env, deps, judge, brief))
            advance(1)
        metrics = copy_metrics(graded)
        drafted = [g for g in graded if g.drafted]
        for name in ("faithfulness", "context_precision", "llm_context_recall"):
            values = [g.item.scores[name] for g in drafted if name in g.item.scores]
            if values:
                metrics[name] = _mean(values)
        if judge.judge is not None:
            metrics["judge_unscored"] = float(sum("faithfulness" not in g.item.scores for g in drafted))
            metrics["judge_failures"] = float(len(judge.judge.failures))
        return SuiteResult(
            suite=self.name,
            metrics=metrics,
            items=[g.item for g in graded],
            judge=judge.judge.label if judge.judge else None,
            metric_sources=OWN_SOURCES | judge.sources,
        )

    def _brief(self, env: EvalEnv, deps: Deps, judge: CopyJudges, brief: CopyBrief) -> Graded:
        return grade_drafted(brief, draft(env, deps, canvas_goal(brief), campaign_of(brief)), judge)


def copy_metrics(graded: list[Graded]) -> dict[str, float]:
    """The suite's figures from graded briefs; a brief routed away from copy counts against drafted_share."""
    claims = sum(g.claims for g in graded)
    drafted = [g for g in graded if g.drafted]
    return {
        "citation_coverage": sum(g.cited for g in graded) / claims if claims else 1.0,
        "groundedness": sum(g.grounded for g in graded) / claims if claims else 1.0,
        "number_support": 1.0 - sum(g.unsupported_numbers for g in graded) / claims if claims else 1.0,
        "banned_claim_violations": float(sum(g.banned for g in graded)),
        "drafted_share": len(drafted) / len(graded) if graded else 0.0,
        "routed_to_person": float(sum(g.plan == "person" for g in graded)),
        "routed_to_other_plans": float(sum(g.plan == "insight" for g in graded)),
        "context_recall": _mean([g.item.scores["context_recall"] for g in drafted]),
        "required_fact_recall": _mean([g.item.scores["required_fact_recall"] for g in graded]),
        "briefs": float(len(graded)),
    } | grader_metrics(x for g in graded for x in g.grades)


def grade_drafted(brief: CopyBrief, made: Drafted, judge: CopyJudges) -> Graded:
    """Grade what the canvas drafted for one brief; no database, so a test can feed it deliberately bad copy."""
    rules = demo_rules()
    claims = cited = grounded = unsupported = banned = 0
    problems: list[str] = []
    texts: list[str] = []
    claim_texts: list[str] = []
    cited_ids: set[str] = set()
    rendered = [rendered_variant(v, made.evidence, str(v.get("locale") or brief.language)) for v in made.variants]
    grades = [
        grade_copy(ch, subj, body, business=brief.business, language=brief.language) for ch, subj, body in rendered
    ]
    for v in made.variants:
        body, subject = str(v.get("body", "")), v.get("subject")
        kind: AssetKind = "sms" if v.get("channel") == "sms" else "email"
        g = grounding.grade(body, made.evidence, kind=kind)
        claims, cited, grounded = claims + g.claims, cited + g.cited, grounded + g.grounded
        unsupported += g.numbers_unsupported
        claim_texts += g.claim_texts
        full = f"{subject or ''}\n{body}"
        traps = [t.claim for t in brief.violations(full)]
        validator = [f.message for f in check_banned(Asset(kind=kind, subject=subject, body=body), [], rules)]
        banned += len(traps) + len(validator)
        problems += g.failures + [f"trap: {t}" for t in traps] + validator
        texts.append(full)
        cited_ids |= set(v.get("citations", []))
    if not made.variants:
        problems.append(f"the canvas routed the goal to {made.plan}: no copy to grade ({'; '.join(made.review)})")
    chunks = [e.text for e in made.evidence if e.citation_id in cited_ids]
    # sentence by sentence, so a required quote is compared with the sentence that says it, not a whole chunk
    cited_text = [s.text for chunk in chunks for s in sentences(chunk)]
    copy = "\n".join(texts)
    scores = {
        "context_recall": judge.context_recall(cited_text, [f.quote for f in brief.required_facts]),
        "groundedness": grounded / claims if claims else 1.0,
        "required_numbers_missing": float(len(brief.missing_numbers(copy))),
        "required_fact_recall": fact_recall(
            "\n".join(f"{subj or ''}\n{body}" for _ch, subj, body in rendered) if rendered else "",
            [(f.quote, f.number) for f in brief.required_facts],
        ),
    }
    problems += [f"{ch}: {why}" for (ch, _s, _b), g in zip(rendered, grades, strict=True) for why in g.problems]
    failed_before = len(judge.judge.failures) if judge.judge else 0
    if made.variants:
        facts = [f.fact for f in brief.required_facts]
        scores |= judge.judged(brief.goal, " ".join(claim_texts), chunks, facts)
    judge_errors = judge.judge.failures[failed_before:] if judge.judge else []
    item = ItemResult(
        item_id=brief.id,
        passed=bool(made.variants) and banned == 0 and not problems,
        scores=scores,
        detail={
            "run_id": made.run_id,
            "plan": made.plan,
            "variants": len(made.variants),
            "problems": problems,
            "sample": sample(canvas_goal(brief), rendered, [e for e in made.evidence if e.citation_id in cited_ids]),
        }
        | ({"judge_errors": judge_errors} if judge_errors else {}),
    )
    return Graded(item, claims, cited, grounded, unsupported, banned, bool(made.variants), made.plan, grades)


SAMPLE_CHARS = 400


def sample(goal: str, rendered: list[tuple[str, str | None, str]], cited: list[Evidence]) -> dict[str, Any]:
    """What the report shows for one brief: the goal, the copy as the customer gets it, the facts it cited."""
    return {
        "input": goal,
        "output": "\n\n".join(f"[{ch}] {subj + ' | ' if subj else ''}{body}" for ch, subj, body in rendered)
        or "(no copy: routed elsewhere)",
        "cited": [f"{e.citation_id}: {e.text[:SAMPLE_CHARS]}" for e in cited[:3]],
    }


def rendered_variant(v: dict[str, Any], evidence: list[Evidence], locale: str = LOCALE) -> tuple[str, str | None, str]:
    """(channel, subject, body) as the launch path renders the variant for a customer; the marked text when it
    cannot be rendered, so the graders see (and fail) what would otherwise have gone out."""
    channel, subject, body = str(v.get("channel", "email")), v.get("subject"), str(v.get("body", ""))
    if channel not in CHANNEL_KINDS:
        return channel, subject, body
    try:
        asset = parse_marked(body, evidence, kind=CHANNEL_KINDS[channel][0], subject=subject)
        out = render(asset, channel, locale, demo_rules())
    except (MarkedCopyError, RenderError):
        return channel, subject, body
    return channel, out.subject, out.body


register(CopySuite())
