"""Cost and speed suite: tokens, cost and latency per successful action, and the router mix, from agent steps.

It reads the agent runs the newest copilot, safety and copy eval runs made (their items keep each run id), so
the numbers describe exactly the work this eval did; when none of those suites has run on the tenant yet it runs
a fixed small set of copilot tickets itself. The router mix counts only decisions that could escalate (steps with a
prompt); tool steps are counted apart. A successful action is a run that completed without a person having to
take over (an escalated copilot ticket or a failed run costs money but is not a success); a canvas run succeeds
when it delivered its plan to the approval (awaiting it, or answered: the copy eval rejects each run it graded so
nothing launches, which is a person's decision about the plan, not a failure of the agents). Latency is each
run's wall time from its start to its last update, since the small tier's steps record no model latency.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hyperjourney.evals import store
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.evals.suites.copilot import CopilotSuite

SOURCES = ("copilot", "safety", "copy")
FALLBACK_TICKETS = 5
DELIVERED_CANVAS = ("awaiting_approval", "rejected")


def eval_agent_runs(env: EvalEnv) -> dict[str, list[str]]:
    """Agent run ids per source suite, from the newest eval run of each."""
    found: dict[str, list[str]] = {}
    with env.db.tenant(env.tenant) as conn:
        for suite in SOURCES:
            latest = store.history(conn, suite, limit=1)
            if not latest:
                continue
            rows = conn.execute(
                "SELECT detail->>'run_id' FROM eval_items WHERE run_id = %s AND detail ? 'run_id' ORDER BY item_id",
                (latest[0].run_id,),
            ).fetchall()
            found[suite] = [str(r[0]) for r in rows]
    return found


@dataclass(frozen=True)
class CostSuite:
    name: str = "cost"
    description: str = "tokens, cost and latency per successful action and the router mix of this eval's agent runs"

    def dataset_files(self) -> list[Path]:
        return []

    def size(self) -> int:
        return 1

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        sources = eval_agent_runs(env)
        if not any(sources.values()):
            result = CopilotSuite(limit=FALLBACK_TICKETS).run(env, lambda _n: None)
            sources = {"copilot": [str(i.detail["run_id"]) for i in result.items]}
        ids = [r for runs in sources.values() for r in runs]
        with env.db.tenant(env.tenant) as conn:
            per_run = conn.execute(
                "SELECT r.run_id, r.flow, r.status, coalesce(sum(s.input_tokens + s.output_tokens), 0), "
                "coalesce(sum(s.cost_usd), 0), 1000 * extract(epoch FROM r.updated_at - r.created_at) "
                "FROM agent_runs r "
                "LEFT JOIN agent_steps s ON s.run_id = r.run_id WHERE r.run_id = ANY(%s) "
                "GROUP BY r.run_id, r.flow, r.status, r.created_at, r.updated_at ORDER BY r.run_id",
                (ids,),
            ).fetchall()
            # a step recorded without a prompt is a tool step (`Router.tool_step`: retrieval, a lookup, a fixed plan):
            # it can never escalate, so it is no small-tier decision and stays out of the router mix
            tiers = conn.execute(
                "SELECT tier, count(*) FROM agent_steps WHERE run_id = ANY(%s) AND prompt_name <> '' "
                "GROUP BY tier ORDER BY tier",
                (ids,),
            ).fetchall()
            tool = conn.execute(
                "SELECT count(*) FROM agent_steps WHERE run_id = ANY(%s) AND prompt_name = ''", (ids,)
            ).fetchone()
        advance(1)
        return self._summarise(per_run, tiers, sources, int(tool[0]) if tool else 0)

    def _summarise(
        self, per_run: list[Any], tiers: list[Any], sources: dict[str, list[str]], tool_steps: int = 0
    ) -> SuiteResult:
        runs = len(per_run)
        ok = [r for r in per_run if r[2] == "completed" or (r[1] == "canvas" and r[2] in DELIVERED_CANVAS)]
        tokens = sum(int(r[3]) for r in per_run)
        cost = sum(float(r[4]) for r in per_run)
        latency = np.array([float(r[5]) for r in per_run]) if per_run else np.zeros(1)
        decisions = sum(int(t[1]) for t in tiers)
        successes = max(len(ok), 1)
        metrics = {
            "agent_runs": float(runs),
            "success_rate": len(ok) / runs if runs else 0.0,
            "tokens_per_success": tokens / successes,
            "cost_usd_per_success": cost / successes,
            "latency_ms_per_success": float(latency.sum()) / successes,
            "latency_p50_ms": float(np.percentile(latency, 50)),
            "latency_p95_ms": float(np.percentile(latency, 95)),
            "router_decisions": float(decisions),
            "tool_steps": float(tool_steps),
        }
        metrics |= {f"router.{t[0]}": int(t[1]) / decisions for t in tiers} if decisions else {}
        series = {
            "latency per agent run": Series(
                kind="hist", y=[float(v) for v in latency], x_label="milliseconds per run, start to finish"
            ),
            "router mix": Series(
                kind="bar",
                x=[str(t[0]) for t in tiers],
                y=[int(t[1]) / decisions for t in tiers] if decisions else [],
                y_label="share of decisions",
            ),
        }
        items = [
            ItemResult(
                item_id=str(r[0]),
                passed=r[2] == "completed" or (r[1] == "canvas" and r[2] in DELIVERED_CANVAS),
                scores={"tokens": float(r[3]), "cost_usd": float(r[4]), "latency_ms": float(r[5])},
                detail={"flow": r[1], "status": r[2], "suite": next((s for s, v in sources.items() if r[0] in v), "")},
            )
            for r in per_run
        ]
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series)


register(CostSuite())
