"""Writes what a run did: one agent_steps row and one audit entry per step, in the same transaction; once it
commits, the step goes out on the run's LangGraph stream (``stream_mode="custom"``) for its followers.

Inputs pass through PII redaction before they are stored; outputs are stored as the agent produced
them (they are built from redacted inputs and cited evidence).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import BaseModel

from hyperjourney.agents.base import Step
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.guardrails.redaction import redact
from hyperjourney.guardrails.redaction_keys import tenant_key


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, default=str))


class Recorder:
    def __init__(
        self,
        db: Database,
        progress: Callable[[str], None] | None = None,
        *,
        enabled: bool = True,
        writer: Callable[[Any], None] | None = None,
        task: str | None = None,
    ) -> None:
        self.db = db
        self.progress = progress
        self.enabled = enabled
        self.writer = writer  # the node's LangGraph stream writer (a no-op unless the run streams "custom")
        self.task = task  # the node's LangGraph task id: a replay of the node re-runs the same task

    def step(self, tenant: str, run_id: str, *, node: str, agent: str, step: Step) -> int:
        if not self.enabled:
            return 0
        routed = step.routed
        inputs = self.redacted(step.inputs, tenant)
        outputs = self.redacted(routed.value, tenant) if routed.value is not None else {}
        usage = routed.usage
        row = {
            "node": node,
            "agent": agent,
            "decision": step.decision,
            "tier": routed.tier,
            "model": routed.model,
            "prompt_name": routed.prompt.name if routed.prompt else "",
            "prompt_hash": routed.prompt.sha256 if routed.prompt else "",
            "confidence": routed.confidence,
            "reason": routed.reason,
            "escalations": routed.escalations,
            "input_tokens": sum(u.input_tokens for u in usage),
            "output_tokens": sum(u.output_tokens for u in usage),
            "cost_usd": sum(u.cost_usd for u in usage),
            "latency_ms": max(routed.latency_ms, sum(u.latency_ms for u in usage)),
            "evidence_ids": step.evidence_ids,
            "review_reason": routed.review_reason,
            "tier_events": [e.model_dump(mode="json") for e in routed.events],
        }
        with self.db.tenant(tenant) as conn:
            got = conn.execute(
                "INSERT INTO agent_steps (run_id, step_no, node, agent, decision, tier, model, prompt_name, "
                "prompt_hash, confidence, reason, escalations, input_tokens, output_tokens, cost_usd, latency_ms, "
                "evidence_ids, inputs, outputs, review_reason, tier_events) "
                "SELECT %s, coalesce(max(step_no), 0) + 1, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s FROM agent_steps WHERE run_id = %s "
                "ON CONFLICT (tenant_id, run_id, node, decision) DO NOTHING RETURNING step_no",
                (
                    run_id,
                    node,
                    agent,
                    step.decision,
                    row["tier"],
                    row["model"],
                    row["prompt_name"],
                    row["prompt_hash"],
                    row["confidence"],
                    row["reason"],
                    Jsonb(row["escalations"]),
                    row["input_tokens"],
                    row["output_tokens"],
                    row["cost_usd"],
                    row["latency_ms"],
                    Jsonb(step.evidence_ids),
                    Jsonb(inputs),
                    Jsonb(outputs),
                    row["review_reason"],
                    Jsonb(row["tier_events"]),
                    run_id,
                ),
            ).fetchone()
            if got is None:  # a replayed node: its step (and the step's audit entry) is already recorded
                again = conn.execute(
                    "SELECT step_no FROM agent_steps WHERE run_id = %s AND node = %s AND decision = %s",
                    (run_id, node, step.decision),
                ).fetchone()
                assert again is not None
                return int(again[0])
            audit.append(
                conn,
                actor=f"agent:{agent}",
                action=f"step:{step.decision}",
                entity=run_id,
                payload={**row, "step_no": got[0], "inputs": inputs, "outputs": outputs},
            )
        if self.writer is not None:
            self.writer({"step_no": int(got[0]), "node": node, "decision": step.decision})
        if self.progress is not None:
            self.progress(f"{agent}: {step.decision} ({routed.tier})")
        return int(got[0])

    def redacted(self, value: Any, tenant: str) -> Any:
        """Plain JSON with personal data replaced in every string (outputs can echo inputs, so both come here),
        tokens keyed by the tenant."""
        return self._walk(_plain(value), tenant)

    def _walk(self, value: Any, tenant: str) -> Any:
        if isinstance(value, str):
            return redact(value, tenant_key(self.db, tenant)).text
        if isinstance(value, dict):
            return {k: self._walk(v, tenant) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, tenant) for v in value]
        return value

    def ensure_run(self, tenant: str, run_id: str, flow: str, request: dict[str, Any]) -> None:
        """Graphs started by another caller (LangGraph's server, an API) get their run row here."""
        if not self.enabled:
            return
        with self.db.tenant(tenant) as conn:
            conn.execute(
                "INSERT INTO agent_runs (run_id, flow, request, status) VALUES (%s, %s, %s, 'running') "
                "ON CONFLICT DO NOTHING",
                (run_id, flow, Jsonb(_plain(request))),
            )

    def event(self, tenant: str, run_id: str, *, actor: str, action: str, payload: dict[str, Any]) -> None:
        if not self.enabled:
            return
        clean = self.redacted(payload, tenant)  # before taking a connection: the key may need one of its own
        with self.db.tenant(tenant) as conn:
            if self.task is None:  # not inside a graph node: nothing replays it
                audit.append(conn, actor=actor, action=action, entity=run_id, payload=clean)
            else:  # once per (run, node task, decision): a replayed node writes no second entry
                audit.append_once(conn, f"{self.task}:{action}", actor=actor, action=action, entity=run_id,
                                  payload=clean)  # fmt: skip
