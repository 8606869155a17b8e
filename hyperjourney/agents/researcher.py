"""Researcher: who and why — the segment behind a goal with evidence, or a customer's context for a ticket."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.guardrails.fence import fence
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.router import Candidate
from hyperjourney.prompts.loader import load
from hyperjourney.scoring.schema import CustomerScores, Segment
from hyperjourney.tools.customers import CustomerProfile
from hyperjourney.tools.toolbox import CustomerInput, SearchInput, SegmentInput

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

    industry: str | None = None
    company_size: Literal["smb", "mid_market", "enterprise"] | None = None
    metric: Metric = "ltv"
    target_lift: float = Field(0.1, ge=0, le=5)
    confidence: float = Field(0.5, ge=0, le=1)


class Insight(BaseModel):
    text: str
    citation_id: str


class ResearchBrief(BaseModel):
    goal: str
    query: GoalQuery
    segment: Segment
    insights: list[Insight]
    reason_codes: list[str]


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
    )
    found = sum(x is not None for x in (metric, pct)) + min(sum(1 for v in definition.values() if v), 2)
    query.confidence = round(min(0.95, 0.35 + 0.15 * found), 2)
    return Candidate(query, query.confidence, f"metric={query.metric}, filters={definition or 'none'}")


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
    described = " ".join(x for x in (query.industry, query.company_size) if x)
    segment = (
        first if routed.tier == "small" or not described else tools.find_segment(SegmentInput(description=described))
    )
    topic = f"{query.industry or ''} case study {query.metric} results"
    hits = tools.search_knowledge(SearchInput(query=topic, doc_types=["case_study"], k=3)).hits
    insights = [Insight(text=h.snippet, citation_id=h.citation_id) for h in hits]
    brief = ResearchBrief(
        goal=goal,
        query=query,
        segment=segment,
        insights=insights,
        reason_codes=[*(r.text for r in segment.why), f"goal metric: {query.metric} +{query.target_lift:.0%}"],
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
