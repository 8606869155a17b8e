"""Analyst, insight goals: a question about the data ("Which stores had the most returns last month?") answered
by one query from the metric catalogue, as a table, a chart and the query it ran.

The small tier picks the query, dimension and period by rules over the question's words; an LLM tier may pick
them instead through the same typed request (validated against the catalogue before any SQL runs), never SQL.
The rule pick's confidence is the share of the three choices the question itself named (query, dimension,
period), so a question the rules only half understood goes to the next tier.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.guardrails.fence import fence
from hyperjourney.models.router import Candidate
from hyperjourney.prompts.loader import load
from hyperjourney.tools.metrics import MetricRequest, MetricTable, Period, QueryName
from hyperjourney.tools.metrics_catalogue import CATALOGUE

PROMPT = "analyst_metric"
# First match wins: the more specific phrases come first.
_QUERIES: tuple[tuple[str, QueryName], ...] = (
    (r"return rates?|share (of units )?returned|returned share", "return_rate"),
    (r"\breturn(s|ed)?\b|\brefund(s|ed)?\b", "returns"),
    (r"\bjourneys?\b", "conversion_by_journey"),
    (r"\bchannels?\b.*\bconver|\bconver.*\bchannels?\b", "conversion_by_channel"),
    (r"\bchurn|\bcohorts?\b|\bretention\b", "churn_by_cohort"),
    (r"\btickets?\b|\bsupport\b|\bcomplain|\bintents?\b|\bsentiment\b", "tickets"),
    (r"\brevenue\b|\bsales\b|\bsold\b|\bsell(s|ing)?\b|\borders?\b|\bspend\b|\bbest[- ]selling\b", "revenue"),
)
_DIMENSIONS: tuple[tuple[str, str], ...] = (
    (r"\bstores?\b|\bshops?\b|\bstorefronts?\b|\bweb\b|\bapp\b", "storefront"),
    (r"\bcategor(y|ies)\b", "category"),
    (r"\bproducts?\b|\bitems?\b|\bskus?\b|\bmodels?\b", "product"),
    (r"\breasons?\b|\bwhy\b", "reason"),
    (r"\bregions?\b", "region"),
    (r"\bcountr(y|ies)\b", "country"),
    (r"\bindustr(y|ies)\b", "industry"),
    (r"\blifecycle\b|\bstages?\b", "lifecycle_stage"),
    (r"\bbusiness(es)?\b|\bbrands?\b", "business"),
    (r"\bsign ?up\b|\bcohorts?\b", "signup_month"),
    (r"\bintents?\b|\btopics?\b", "intent"),
    (r"\bsentiment\b|\bmood\b", "sentiment"),
    (r"\bpriorit(y|ies)\b", "priority"),
    (r"\blanguages?\b", "language"),
    (r"\bchannels?\b", "channel"),
    (r"\bjourneys?\b", "journey"),
    (r"\bmonth(ly|s)?\b|\bover time\b|\btrend\b", "month"),
)
_PERIODS: tuple[tuple[str, Period], ...] = (
    (r"\blast month\b|\bprevious month\b|\bpast month\b", "last_month"),
    (r"\bthis month\b|\bmonth to date\b", "this_month"),
    (r"\b30 days\b|\bfour weeks\b|\b4 weeks\b", "last_30_days"),
    (r"\bquarter\b|\b90 days\b|\b(3|three) months\b", "last_90_days"),
    (r"\b(last|this|past) year\b|\b12 months\b|\b365 days\b", "last_365_days"),
    (r"\ball[- ]time\b|\bever\b", "all"),
)
_TOP = re.compile(r"\btop (\d{1,2})\b")


class InsightAnswer(BaseModel):
    """An insight goal's answer: the question, the table with its chart and cited query, and one line in words."""

    question: str
    table: MetricTable | None = Field(description="None when no catalogue query answers the question")
    summary: str
    note: str = Field("", description="What the catalogue answered when the question named something the data lacks")


def _first(patterns: tuple[tuple[str, str], ...], text: str, allowed: set[str] | None = None) -> str | None:
    return next((v for p, v in patterns if re.search(p, text) and (allowed is None or v in allowed)), None)


def rule_request(question: str) -> Candidate[MetricRequest] | None:
    """Rules over the question's words; None when it names no catalogue query."""
    text = question.lower()
    query = _first(_QUERIES, text)
    if query is None:
        return None
    dims = set(CATALOGUE[query].dimensions)
    by = _first(_DIMENSIONS, text, dims)
    period = _first(_PERIODS, text)
    top = _TOP.search(text)
    request = MetricRequest(
        query=query,
        by=by or next(iter(CATALOGUE[query].dimensions)),
        period=period or ("all" if query.startswith("conversion_by") else "last_90_days"),
        limit=min(int(top.group(1)), 50) if top else 10,
    )
    named = 1 + (by is not None) + (period is not None)
    return Candidate(request, named / 3, f"named: query {query}, by {by or 'default'}, period {period or 'default'}")


def _summary(table: MetricTable) -> str:
    if not table.rows:
        return f"No {table.title.lower()} between {table.period_start:%Y-%m-%d} and {table.period_end:%Y-%m-%d}."
    measure = table.columns.index(table.chart.y)
    top = table.rows[0]
    return (
        f"{table.title}, {table.period_start:%Y-%m-%d} to {table.period_end:%Y-%m-%d}: {top[0]} leads with "
        f"{top[measure]:,} {table.chart.y.replace('_', ' ')} ({len(table.rows)} groups shown)."
    )


def _note(question: str, request: MetricRequest) -> str:
    if request.by == "storefront" and re.search(r"\bstores?\b|\bshops?\b", question.lower()):
        return ("The data has no physical stores; a storefront is where the order was checked out (web or app). "
                "Ask by region or country for where the customers are.")  # fmt: skip
    return ""


def answer_insight(ctx: AgentContext, question: str) -> AgentResult:
    """Pick a catalogue query (rules, else an LLM tier, else a person) and run it read-only."""
    catalogue = "\n".join(f"- {k}: {e.description}; by {', '.join(e.dimensions)}" for k, e in CATALOGUE.items())
    routed = ctx.router.decide(
        "metric",
        schema=MetricRequest,
        prompt=load(PROMPT),
        variables={"untrusted_question": fence(question, author="marketer"), "catalogue": catalogue},
        small=lambda: rule_request(question),
    )
    request = routed.value
    inputs = {"question": question, "request": request.model_dump(mode="json") if request else None}
    if request is None:
        listed = "; ".join(f"{e.title.lower()} by {', '.join(e.dimensions)}" for e in CATALOGUE.values())
        answer = InsightAnswer(
            question=question, table=None, summary=f"No catalogue query answers this; it has {listed}."
        )
        result = AgentResult(answer, [])
        result.add(Step("metric", routed, [], inputs))
        return result
    table = ctx.tools.query_metric(request)
    answer = InsightAnswer(question=question, table=table, summary=_summary(table), note=_note(question, request))
    result = AgentResult(answer, [])
    result.add(Step("metric", routed, [], inputs))
    result.add(Step("metric_query", ctx.router.tool_step("metric_query", table, table.sql), [],
                    {"request": request.model_dump(mode="json")}))  # fmt: skip
    return result
