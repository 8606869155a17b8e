"""How a run ends: the launch (exactly once per run), the outcome row, the summary and "what happens next"."""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from hyperjourney.agents.orchestrator import JourneyProposal
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.assets.sources import cited_evidence
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.graphs.state import BaseState
from hyperjourney.graphs.wiring import Deps
from hyperjourney.guardrails.copy_text import CITE
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.models.accounting import RunTotals
from hyperjourney.review.queue import ReviewItem, submit_in


def run_totals(db: Database, tenant: str, run_id: str) -> RunTotals:
    """Spend, tokens, latency and routing mix of a run, from its recorded steps (any process)."""
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT tier, count(*), sum(input_tokens + output_tokens), sum(cost_usd), sum(latency_ms) "
            "FROM agent_steps WHERE run_id = %s GROUP BY tier ORDER BY tier",
            (run_id,),
        ).fetchall()
    n = sum(int(r[1]) for r in rows)
    return RunTotals(
        decisions=n,
        tokens=sum(int(r[2] or 0) for r in rows),
        cost_usd=round(sum(float(r[3] or 0) for r in rows), 6),
        latency_ms=round(sum(float(r[4] or 0) for r in rows), 3),
        mix={str(r[0]): round(int(r[1]) / n, 3) for r in rows} if n else {},
        by_tier={str(r[0]): int(r[1]) for r in rows},
    )


def _next_steps(plan: dict[str, Any], launch: dict[str, Any], holdout: float) -> str:
    if launch.get("launched"):
        return (
            f"Journey {launch.get('journey_id')} is live: {len(plan.get('steps', []))} steps, a {holdout:.0%} holdout; "
            "read the lift against the holdout once the minimum run time has passed."
        )
    return (
        f"The approved plan is recorded ({launch.get('detail', '')}); {len(plan.get('steps', []))} steps with a "
        f"{holdout:.0%} holdout will start when the action layer launches it."
    )


def launch_once(
    deps: Deps, tenant: str, run_id: str, proposal: JourneyProposal, brief: ResearchBrief, *,
    decision: dict[str, Any], goal: str, evidence: list[str],
) -> dict[str, Any]:  # fmt: skip
    """Hand the approved plan to the launcher unless this run already has an outcome (a replayed node), and
    only while the run's lease is still this process's (checked inside the launch's transaction)."""
    plan = {
        "run_id": run_id,
        "plan": proposal.plan.model_dump(mode="json"),
        "segment": proposal.segment.model_dump(mode="json", exclude_defaults=True),
        "cohort_size": proposal.cohort_size,
        "variants": [v.model_dump(mode="json") for v in proposal.variants.variants],
        "policy": [p.model_dump(mode="json") for p in proposal.policy],
        "approved_by": decision.get("reviewer", ""),
        "goal": goal,
        "metric": brief.query.metric,
        "segment_name": brief.segment.name,
        "audience": brief.segment.customer_ids,
        "evidence": evidence,
    }
    # a connection of its own: the launcher takes pooled ones while this lock is held (pool deadlock otherwise)
    with deps.db.dedicated(tenant) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"launch:{run_id}",))
        if deps.lease is not None:
            deps.lease.check_in(conn)
        row = conn.execute("SELECT launch, next_steps FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchone()
        if row is not None:
            return {"launch": row[0], "next": row[1], "plan": plan}
        launch = deps.launcher.launch(tenant, run_id, plan).model_dump(mode="json")
        nxt = _next_steps(plan["plan"], launch, proposal.plan.holdout_share)
        kind = "edited" if decision.get("action") == "edit" else "approved"
        conn.execute(
            "INSERT INTO agent_outcomes (run_id, decision, reviewer, plan, launch, next_steps) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (run_id, kind, decision.get("reviewer"), Jsonb(plan), Jsonb(launch), nxt),
        )
        audit.append(conn, actor="agents", action="journey_launch", entity=run_id, payload={"launch": launch})
    return {"launch": launch, "next": nxt, "plan": plan}


def submit_reply(
    db: Database, tenant: str, run_id: str, outcome: dict[str, Any], reasons: list[str], evidence: list[Evidence],
    *, key: str,
) -> str:  # fmt: skip
    """The copilot's draft as an asset item in the review queue, once per (run, key): a replayed node or a
    second click finds the item it queued before."""
    with db.tenant(tenant) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"review:{run_id}:{key}",))
        row = conn.execute(
            "SELECT item_id FROM review_items WHERE run_id = %s AND escalation_key = %s", (run_id, key)
        ).fetchone()
        if row is not None:
            return str(row[0])
        asset = Asset(kind="support_reply", purpose="support", body=outcome.get("reply") or "(no draft)",
                      citations=list(outcome.get("citations", [])))  # fmt: skip
        item = ReviewItem(
            kind="asset",
            title=f"support_reply for run {run_id}",
            payload=asset.model_dump(mode="json"),
            evidence=evidence,
            reasons=reasons,
            risk=["low_confidence"],
            submitted_by="agents",
            run_id=run_id,
        )
        item_id = submit_in(conn, item)
        conn.execute("UPDATE review_items SET escalation_key = %s WHERE item_id = %s", (key, item_id))
    return item_id


def escalate_reply(db: Database, tenant: str, run_id: str, *, by: str, note: str = "", body: str | None = None) -> str:
    """A person hands a finished copilot run's ticket to a human: its draft (``body``: the agent's edit of it)
    becomes a review item, with the agent's ``note`` first among its reasons."""
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT plan FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"run {run_id!r} has no copilot outcome to escalate")
        outcome: dict[str, Any] = row[0] if body is None else {**row[0], "reply": body}
        # the chunks the draft cites go with it, so a reviewer's edit in the queue is checked against them
        evidence = cited_evidence(conn, [*row[0].get("citations", []), *CITE.findall(str(outcome.get("reply")))])
    said = " ".join(note.split())
    reasons = [f"escalated by {by}" + (f": {said}" if said else ""), *outcome.get("escalation_reasons", [])]
    return submit_reply(db, tenant, run_id, outcome, reasons, evidence, key=f"escalated:{by}")


def close_run(deps: Deps, state: BaseState, status: str, decision: str, outcome: dict[str, Any]) -> dict[str, Any]:
    """The run's end: its outcome row (a launched run has one already), status, summary and audit entry."""
    tenant, run_id = state["tenant"], state["run_id"]
    summary = run_totals(deps.db, tenant, run_id).model_dump()
    with deps.db.tenant(tenant) as conn:
        conn.execute(  # a launched canvas run already has its outcome row
            "INSERT INTO agent_outcomes (run_id, decision, plan, next_steps) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            (run_id, decision, Jsonb(outcome), str(outcome.get("next", ""))),
        )
        conn.execute(
            "UPDATE agent_runs SET status = %s, summary = %s, updated_at = now() WHERE run_id = %s",
            (status, Jsonb(summary), run_id),
        )
        finished = {"status": status, **summary}
        if deps.task is None:
            audit.append(conn, actor="agents", action="run_finished", entity=run_id, payload=finished)
        else:  # the finish node replayed after a crash writes no second entry
            audit.append_once(conn, f"{deps.task}:run_finished", actor="agents", action="run_finished",
                              entity=run_id, payload=finished)  # fmt: skip
    return {"run_id": run_id, "status": status, "outcome": outcome | {"summary": summary}}
