"""What the agent runs cost and how they were routed, per flow: read-only figures for the Data dashboard.

Totals come from the recorded steps (hyperjourney.graphs.outcomes.run_totals sums one run the same way); a
run "succeeded" when it completed (a plan approved and launched, a reply drafted), so cost per successful
action charges the failed, rejected and escalated runs to the ones that did something.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
from pydantic import BaseModel, Field

SUCCESS = "completed"


class FlowUsage(BaseModel):
    """One flow's runs over the window: spend, tokens, model latency (sum of a run's step latencies)."""

    flow: str
    runs: int
    succeeded: int
    tokens: int
    cost_usd: float
    tokens_per_success: float | None = Field(None, description="None when no run succeeded")
    cost_per_success_usd: float | None = None
    latency_p50_ms: float
    latency_p95_ms: float


class RouterMix(BaseModel):
    """Share of recorded decisions each model tier took, over every flow."""

    decisions: int
    by_tier: dict[str, int]

    def share(self, tier: str) -> float:
        return self.by_tier.get(tier, 0) / self.decisions if self.decisions else 0.0


def flow_usage(conn: psycopg.Connection[Any], *, days: int = 30) -> list[FlowUsage]:
    rows = conn.execute(
        "WITH per_run AS (SELECT r.flow, r.status, coalesce(sum(s.input_tokens + s.output_tokens), 0) AS tokens, "
        "coalesce(sum(s.cost_usd), 0) AS cost, coalesce(sum(s.latency_ms), 0) AS latency "
        "FROM agent_runs r LEFT JOIN agent_steps s ON s.run_id = r.run_id "
        "WHERE r.created_at >= now() - %s GROUP BY r.run_id, r.flow, r.status) "
        "SELECT flow, count(*), count(*) FILTER (WHERE status = %s), sum(tokens), sum(cost), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY latency), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) "
        "FROM per_run GROUP BY flow ORDER BY flow",
        (timedelta(days=days), SUCCESS),
    ).fetchall()
    out = []
    for flow, runs, ok, tokens, cost, p50, p95 in rows:
        out.append(FlowUsage(
            flow=flow, runs=runs, succeeded=ok, tokens=int(tokens), cost_usd=round(float(cost), 6),
            tokens_per_success=round(int(tokens) / ok, 1) if ok else None,
            cost_per_success_usd=round(float(cost) / ok, 6) if ok else None,
            latency_p50_ms=round(float(p50), 1), latency_p95_ms=round(float(p95), 1),
        ))  # fmt: skip
    return out


def router_mix(conn: psycopg.Connection[Any], *, days: int = 30) -> RouterMix:
    rows = conn.execute(
        "SELECT tier, count(*) FROM agent_steps WHERE created_at >= now() - %s GROUP BY tier ORDER BY tier",
        (timedelta(days=days),),
    ).fetchall()
    by_tier = {str(t): int(n) for t, n in rows}
    return RouterMix(decisions=sum(by_tier.values()), by_tier=by_tier)
