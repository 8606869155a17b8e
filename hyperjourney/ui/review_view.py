"""The review queue in the UI: every pending item a reviewer must decide (review items of each kind, and plans
waiting for approval), with evidence, reasons, risk, age and who holds it; approve, edit (copy and reply drafts,
re-checked by the guardrails in the queue) or reject from here.

A plan's thread belongs to whoever started or opened it (a viewer, too); reviewers of the workspace open it
read-only through chainlit's shared-thread page, which ``may_view_thread`` allows for them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

import chainlit as cl
from pydantic import BaseModel, Field

import hyperjourney.graphs.runs as runs
from hyperjourney.agents.copy_edits import from_chips, to_chips
from hyperjourney.db.database import Database
from hyperjourney.graphs.nodes import ApprovalDecision
from hyperjourney.review import queue
from hyperjourney.ui import render
from hyperjourney.ui.session import keep_actions, retire_actions

QUEUE_ACTIONS = "queue_actions"


class QueueEntry(BaseModel):
    """One thing waiting for a reviewer, as the queue lists it."""

    key: str = Field(description="item id, or the run id of a plan waiting for approval")
    kind: Literal["asset", "action", "escalation", "plan"]
    title: str
    reasons: list[str] = Field(default_factory=list)
    risk: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="titles of the cited sources")
    created_at: datetime
    holder: str = Field("", description="whose thread it is, and who is deciding it right now")
    run_id: str | None = None
    thread_id: str | None = None


def pending_entries(db: Database, tenant: str, *, limit: int = 50) -> list[QueueEntry]:
    """Pending review items and plans waiting for approval (a plan with its own escalation item is listed once),
    oldest first."""
    items = queue.list_pending(db, tenant, limit=limit)
    held = {i.run_id for i in items if i.run_id}
    with db.tenant(tenant) as conn:
        runs_waiting = conn.execute(
            "SELECT r.run_id, r.request->>'goal', r.created_at, r.resumed_by, r.lease_expires_at > now(), "
            "t.thread_id, t.user_identifier FROM agent_runs r LEFT JOIN LATERAL (SELECT thread_id, user_identifier "
            "FROM ui_threads WHERE metadata->>'run_id' = r.run_id ORDER BY created_at LIMIT 1) t ON true "
            "WHERE r.status = 'awaiting_approval' ORDER BY r.created_at LIMIT %s",
            (limit,),
        ).fetchall()
    threads = {r[0]: (r[5], r[6], r[3] if r[4] else None) for r in runs_waiting}
    entries = [
        QueueEntry(
            key=i.item_id,
            kind=i.kind,
            title=i.title,
            reasons=i.reasons,
            risk=i.risk,
            evidence=[e.title or e.citation_id for e in i.evidence],
            created_at=i.created_at,
            holder=_holder(*threads.get(i.run_id or "", (None, None, None))),
            run_id=i.run_id,
            thread_id=threads.get(i.run_id or "", (None,))[0],
        )
        for i in items
    ]
    entries += [
        QueueEntry(
            key=r[0],
            kind="plan",
            title=f"Plan for “{r[1] or r[0]}”",
            reasons=["a plan waits for approval"],
            created_at=r[2],
            holder=_holder(r[5], r[6], r[3] if r[4] else None),
            run_id=r[0],
            thread_id=r[5],
        )
        for r in runs_waiting
        if r[0] not in held
    ]
    return sorted(entries, key=lambda e: e.created_at)


def _holder(thread: str | None, owner: str | None, deciding: str | None) -> str:
    parts = [f"thread of {owner}" if owner else "no UI thread (started from the API or CLI)"]
    if deciding:
        parts.append(f"being decided by {deciding}")
    return "; ".join(parts)


def age(at: datetime, now: datetime | None = None) -> str:
    seconds = max(((now or datetime.now(UTC)) - at).total_seconds(), 0)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def entry_markdown(n: int, entry: QueueEntry) -> str:
    lines = [f"**{n}. {render.md_line(entry.title)}** · {entry.kind} · waiting {age(entry.created_at)}"]
    lines.append(f"- **Holder**: {render.md(entry.holder)}" + (f" · run `{entry.run_id}`" if entry.run_id else ""))
    if entry.reasons:
        lines.append("- **Why**: " + "; ".join(render.md(r) for r in entry.reasons))
    lines.append("- **Risk**: " + ("; ".join(render.md(r) for r in entry.risk) or "none flagged"))
    if entry.evidence:
        lines.append("- **Evidence**: " + "; ".join(render.md(e) for e in entry.evidence[:4]))
    if entry.thread_id:
        lines.append(f"- [Open the thread](/share/{entry.thread_id})")
    return "\n".join(lines)


async def show_queue(db: Database, tenant: str, *, may_decide: bool) -> None:
    """The queue as it stands now; the buttons of a queue shown earlier are removed (they name items as they
    were then: an edited reply, a decided plan)."""
    if not may_decide:
        await cl.Message(content="The review queue is for reviewers: you have the viewer role.").send()
        return
    await retire_actions(QUEUE_ACTIONS)
    entries = await asyncio.to_thread(pending_entries, db, tenant)
    if not entries:
        await cl.Message(content="### Review queue\n\nNothing is waiting for a reviewer.").send()
        return
    text = "### Review queue\n\n" + "\n\n".join(entry_markdown(n, e) for n, e in enumerate(entries, start=1))
    actions = queue_actions(entries)
    await cl.Message(content=text, actions=actions).send()
    keep_actions(QUEUE_ACTIONS, actions)


def queue_actions(entries: list[QueueEntry]) -> list[cl.Action]:
    """The queue's buttons, numbered as its entries: approve and reject each, open a plan or escalation, edit copy."""
    actions: list[cl.Action] = []
    for n, e in enumerate(entries, start=1):
        payload: dict[str, Any] = {"run_id": e.run_id} if e.kind == "plan" else {"item_id": e.key}
        actions.append(cl.Action(name="queue_approve", payload=payload, label=f"Approve {n}", icon="check"))
        if e.run_id and e.kind in {"plan", "escalation"}:
            actions.append(cl.Action(name="queue_open", payload={"run_id": e.run_id}, label=f"Open {n}"))
        if e.kind == "asset":
            actions.append(cl.Action(name="queue_edit", payload={"item_id": e.key}, label=f"Edit {n}", icon="pencil"))
        actions.append(cl.Action(name="reject", payload=payload, label=f"Reject {n}", icon="x"))
    return actions


async def decide(
    db: Database, tenant: str, key: str | None, action: Literal["approve", "reject"], reviewer: str, reason: str = "",
    *, run_id: str | None = None,
) -> None:  # fmt: skip
    """Decide a queue entry: a plan's run is resumed, an item is decided in the queue (its run, if any, goes on)."""
    decision = ApprovalDecision(action=action, reviewer=reviewer, comment=reason)
    await retire_actions(QUEUE_ACTIONS)
    try:
        if run_id is not None:
            result: runs.RunResult | None = await asyncio.to_thread(runs.resume, db, tenant, run_id, decision)
        else:
            assert key is not None
            result = await asyncio.to_thread(runs.decide_item, db, tenant, key, decision)
    except (runs.RunStateError, queue.ReviewError) as exc:
        await cl.Message(content=f"Could not decide it: {render.md(exc)}").send()
        return
    what = f"run `{result.run_id}` is now **{result.status}**" if result is not None else f"item `{key}` decided"
    launch = (result.outcome.get("launch") or {}) if result is not None else {}
    journey = f", journey `{launch['journey_id']}` launched" if launch.get("launched") else ""
    await cl.Message(content=f"{'Approved' if action == 'approve' else 'Rejected'}: {what}{journey}.").send()


def edit_form(item: queue.StoredReviewItem) -> cl.CustomElement:
    """An asset item's copy as the reply form: citations as [n] chips, saved as a queue edit."""
    order: list[str] = []
    body = to_chips(str(item.payload.get("body", "")), order)
    titles = {e.citation_id: e.title or e.citation_id for e in item.evidence}
    sources = [{"n": i, "citation_id": c, "title": titles.get(c, c)} for i, c in enumerate(order, start=1)]
    return cl.CustomElement(
        name="EditReply", props={"item_id": item.item_id, "body": body, "sources": sources}, display="inline"
    )


def stale(item: queue.StoredReviewItem) -> str | None:
    """What to say when a button shown earlier acts on an item that is no longer pending; None while it is."""
    if item.status == "pending":
        return None
    by = render.md(item.reviewer or "?")
    return f"Item {render.md(item.item_id)} is already {item.status} (by {by}); nothing changed."


async def save_edit(db: Database, tenant: str, item_id: str, typed: str, reviewer: str) -> bool:
    """Apply the form's text as the item's body: the queue re-checks it and approves it when it passes."""
    item = await asyncio.to_thread(queue.get, db, tenant, item_id)
    order: list[str] = []
    to_chips(str(item.payload.get("body", "")), order)
    try:
        result = await asyncio.to_thread(
            queue.edit, db, tenant, item_id, reviewer, changes={"body": from_chips(typed, order)}
        )
    except queue.ReviewError as exc:
        await cl.Message(content=f"Could not edit it: {render.md(exc)}").send()
        return False
    if not result.applied:
        problems = "\n".join(f"- {render.md(p)}" for p in result.problems)
        await cl.Message(content=f"**Your edit was not accepted** (item {render.md(item_id)}):\n{problems}").send()
        return False
    await cl.Message(
        content=f"Edited and approved: item {render.md(item_id)} (revision {result.item.revision})."
    ).send()
    return True
