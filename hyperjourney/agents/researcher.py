"""Researcher: who and why — the segment behind a goal with evidence, or a customer's context for a ticket."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.guardrails.fence import fence
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.router import Candidate
from hyperjourney.policy.goal_requests import Refusal
from hyperjourney.prompts.loader import load
from hyperjourney.scoring.conditions import Condition, NotApplied
from hyperjourney.scoring.schema import CustomerScores, Segment, SegmentQuery
from hyperjourney.tools.customers import CustomerProfile
from hyperjourney.tools.toolbox import CustomerInput, SearchInput, SegmentInput, TextInput

PROMPT = "researcher_segment"
Metric = Literal["ltv", "conversion", "retention", "engagement"]
_METRICS: dict[str, Metric] = {
    "ltv": "ltv",
    "lifetime": "ltv",
    "revenue": "ltv",
    "upgrade": "ltv",
    "expansion": "ltv",
    "aov": "ltv",
    "order": "ltv",
    "conversion": "conversion",
    "convert": "conversion",
    "trial": "conversion",
    "retention": "retention",
    "churn": "retention",
    "renewal": "retention",
    "win": "retention",
    "engagement": "engagement",
    "active": "engagement",
    "adoption": "engagement",
}


class GoalQuery(BaseModel):
    """The research question a goal asks (the output schema of the segment decision)."""

    industry: str | None = Field(None, description="one of the tenant's industries, or null")
    company_size: Literal["smb", "mid_market", "enterprise"] | None = Field(None, description="or null")
    metric: Metric = Field("ltv", description="what the goal moves")
    target_lift: float = Field(0.1, ge=0, le=5, description="the goal's lift as a fraction (15% → 0.15)")
    conditions: list[Condition] = Field(
        default_factory=list, description="every other condition the goal states, as typed segment filters"
    )
    confidence: float = Field(0.5, ge=0, le=1, description="how sure this reading is")


class Insight(BaseModel):
    text: str
    citation_id: str


class Stop(BaseModel):
    """Why no plan follows the research (an empty segment, a request the policy forbids) and what to ask instead."""

    reason: str
    rephrase: str


class ResearchBrief(BaseModel):
    goal: str
    query: GoalQuery
    segment: Segment
    insights: list[Insight]
    reason_codes: list[str]
    filters: list[str] = Field(default_factory=list, description="each applied filter in words")
    not_applied: list[NotApplied] = Field(default_factory=list, description="conditions stated but not applied")
    refusals: list[Refusal] = Field(default_factory=list, description="requests the policy forbids")
    stop: Stop | None = Field(None, description="set when the canvas must end here, with the reason")


class CustomerContext(BaseModel):
    profile: CustomerProfile
    scores: CustomerScores | None
    scores_note: str = ""
    evidence: list[Hit]


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def parse_goal(goal: str, segment: Segment) -> Candidate[GoalQuery]:
    """Rules: metric words, a percentage, and the filters the segment tool recognised."""
    words = re.findall(r"[a-z]+", goal.lower())
    metric = next((_METRICS[w] for w in words if w in _METRICS), None)
    pct = re.search(r"(\d+(?:\.\d+)?)\s*(?:%|percent|points)", goal.lower())
    definition = segment.definition.model_dump(exclude_defaults=True)
    query = GoalQuery(
        industry=_first(segment.definition.industry),
        company_size=_first(segment.definition.company_size),
        metric=metric or "ltv",
        target_lift=float(pct.group(1)) / 100 if pct else 0.1,
        conditions=segment.definition.conditions,
    )
    found = sum(x is not None for x in (metric, pct)) + min(sum(1 for v in definition.values() if v), 2)
    query.confidence = round(min(0.95, 0.35 + 0.15 * found), 2)
    return Candidate(query, query.confidence, f"metric={query.metric}, filters={segment.filters_in_words() or 'none'}")


def _relaxed(definition: SegmentQuery) -> list[tuple[str, SegmentQuery]]:
    """The query with one filter dropped at a time, each with that filter in words."""
    out: list[tuple[str, SegmentQuery]] = []
    for field in ("industry", "company_size", "business", "lifecycle_stage", "rfm_segment", "region", "language"):
        values = getattr(definition, field)
        if values:
            out.append(
                (f"{field.replace('_', ' ')} is {' or '.join(values)}", definition.model_copy(update={field: None}))
            )
    for name in definition.min_scores:
        rest = {k: v for k, v in definition.min_scores.items() if k != name}
        out.append((f"{name.replace('_', ' ')} score", definition.model_copy(update={"min_scores": rest})))
    for i, c in enumerate(definition.conditions):
        rest_c = definition.conditions[:i] + definition.conditions[i + 1 :]
        out.append((c.words(), definition.model_copy(update={"conditions": rest_c})))
    return out


def _empty_stop(ctx: AgentContext, goal: str, segment: Segment) -> Stop:
    """No customer matches every filter: say which filter empties it and how many each relaxation keeps."""
    tried = sorted(
        ((words, ctx.tools.segment_of(q).size) for words, q in _relaxed(segment.definition)),
        key=lambda x: -x[1],
    )
    filters = "; ".join(segment.filters_in_words()) or "no filter"
    if not tried or tried[0][1] == 0:
        return Stop(
            reason=f"no customer matches the goal's filters ({filters}), and none matches with any one of them dropped",
            rephrase="State the goal for a group the tenant has (an industry, size, plan or stage it holds).",
        )
    words, size = tried[0]
    return Stop(
        reason=f"no customer matches all of the goal's filters ({filters}); without '{words}' {size} customers match",
        rephrase=f"{goal} — without the condition '{words}' ({size} customers)",
    )


def research_goal(ctx: AgentContext, goal: str) -> AgentResult:
    tools = ctx.tools
    first = tools.find_segment(SegmentInput(description=goal))
    industries = [_first(first.definition.industry) or "any"]
    routed = ctx.router.decide(
        "segment",
        schema=GoalQuery,
        prompt=load(PROMPT),
        variables={"untrusted_goal": fence(goal, author="marketer"), "industries": ", ".join(industries)},
        small=lambda: parse_goal(goal, first),
    )
    query = routed.value or GoalQuery()
    segment = first
    if routed.tier != "small" and (query.industry or query.company_size or query.conditions):
        proposed = first.definition.model_copy(
            update={
                "industry": [query.industry] if query.industry else first.definition.industry,
                "company_size": [query.company_size] if query.company_size else first.definition.company_size,
                "conditions": query.conditions or first.definition.conditions,
            }
        )  # the LLM tier's filters, validated by the same typed schema, sized by the same SQL
        segment = tools.segment_of(SegmentQuery.model_validate(proposed.model_dump()))
        segment = segment.model_copy(update={"not_applied": first.not_applied})
    topic = f"{query.industry or ''} case study {query.metric} results"
    hits = tools.search_knowledge(SearchInput(query=topic, doc_types=["case_study"], k=3)).hits
    insights = [Insight(text=h.snippet, citation_id=h.citation_id) for h in hits]
    refused = tools.goal_refusals(TextInput(text=goal))
    stop: Stop | None = None
    if refused:
        stop = Stop(reason="; ".join(r.reason for r in refused), rephrase=refused[0].rephrase)
    elif segment.size == 0:
        stop = _empty_stop(ctx, goal, segment)
    brief = ResearchBrief(
        goal=goal,
        query=query,
        segment=segment,
        insights=insights,
        reason_codes=[
            *(r.text for r in segment.why),
            *(f"not applied: {n.phrase} ({n.reason})" for n in segment.not_applied),
            f"goal metric: {query.metric} +{query.target_lift:.0%}",
        ],
        filters=segment.filters_in_words(),
        not_applied=segment.not_applied,
        refusals=refused,
        stop=stop,
    )
    result = AgentResult(brief, [], [h.citation_id for h in hits])
    result.add(Step("segment", routed, result.evidence_ids, {"goal": goal}))
    return result


def research_customer(ctx: AgentContext, customer_id: str, question: str) -> AgentResult:
    tools = ctx.tools
    profile = tools.customer_profile(CustomerInput(customer_id=customer_id))
    scores = tools.customer_scores(CustomerInput(customer_id=customer_id))
    hits = tools.search_knowledge(SearchInput(query=question, doc_types=None, k=4)).hits
    context = CustomerContext(profile=profile, scores=scores.scores, scores_note=scores.note, evidence=hits)
    routed = ctx.router.tool_step("customer_context", context, f"profile, scores and {len(hits)} knowledge hits")
    result = AgentResult(context, [], [h.citation_id for h in hits])
    result.add(Step("customer_context", routed, result.evidence_ids, {"customer_id": customer_id}))
    return result
