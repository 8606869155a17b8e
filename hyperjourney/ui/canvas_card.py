"""The canvas's one plan card per thread, updated in place from the state machine (hyperjourney.ui.canvas_state).

The card's message id lives in the thread's metadata, so a reload or a later visit updates the same card (and
sends its buttons again: chainlit keeps buttons only for the live session) instead of appending a copy. An
edit in progress (a draft) lives there too, so it survives a reload until it is approved or discarded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import chainlit as cl
from chainlit.data import get_data_layer

from hyperjourney.agents.copy_edits import from_chips, split_fixed, to_chips
from hyperjourney.agents.copywriter import Variant
from hyperjourney.api import runs_service as svc
from hyperjourney.db.database import Database
from hyperjourney.settings import get_settings
from hyperjourney.ui import insight, lift, render
from hyperjourney.ui.canvas_state import CanvasView, Draft, canvas_view
from hyperjourney.ui.session import keep_actions, retire_actions


def thread_meta() -> dict[str, Any]:
    return dict(cl.user_session.get("thread_meta") or {})


async def remember(**values: Any) -> None:
    """Keep ``values`` in this thread's metadata (and the session's copy of it)."""
    cl.user_session.set("thread_meta", {**thread_meta(), **values})
    await get_data_layer().update_thread(cl.context.session.thread_id, metadata=values)


def draft() -> Draft | None:
    stored = thread_meta().get("draft")
    return Draft.model_validate(stored) if stored else None


def plan_of(detail: svc.RunDetail) -> dict[str, Any] | None:
    """What the card shows: the pending approval, else the plan as the Orchestrator proposed it (after a decision)."""
    if detail.approval is not None:
        return detail.approval
    proposal = detail.results.get("orchestrator")
    if not proposal or "plan" not in proposal:
        return None
    variants = (proposal.get("variants") or {}).get("variants", [])
    return {"plan": proposal["plan"], "policy": proposal.get("policy", []), "variants": variants}


def rejected_reason(detail: svc.RunDetail) -> str:
    return next((str(a.payload.get("comment", "")) for a in detail.audit if a.action == "approval:reject"), "")


def view_of(detail: svc.RunDetail, may_decide: bool) -> CanvasView:
    outcome = {**(detail.outcome or {}), "comment": rejected_reason(detail)}
    return canvas_view(detail.status, detail.approval, outcome, draft(), may_decide=may_decide)


def inspect_actions(detail: svc.RunDetail, order: list[str]) -> list[cl.Action]:
    """An "inspect evidence" button per cited chunk, numbered as in the text; it opens the chunk in the side panel."""
    known = {e.citation_id for e in detail.evidence}
    return [
        cl.Action(
            name="inspect_evidence", payload={"run_id": detail.run_id, "citation_id": cid}, label=f"Inspect [{i}]"
        )
        for i, cid in enumerate(order, start=1)
        if cid in known
    ]


def card_content(detail: svc.RunDetail, view: CanvasView, order: list[str]) -> str:
    shown = plan_of(detail)
    titles = {e.citation_id: e.title for e in detail.evidence}
    if shown is None and detail.results.get("insight"):
        return insight.insight_markdown(detail.results["insight"])
    if shown is None or view.state == "escalated" or "plan" not in shown:
        return view.banner or f"Run `{detail.run_id}` is **{detail.status}**."
    if view.state == "launched":
        who = str((detail.outcome or {}).get("reviewer") or "a reviewer").replace("`", "")
        banner = f"**Approved by {render.md(who)}**: nothing is left to decide on this plan."
        view = view.model_copy(update={"banner": banner, "variants": shown["variants"]})
    elif not view.variants:
        view = view.model_copy(update={"variants": shown["variants"]})
    return render.plan_markdown(shown, detail.results, order, titles, view)


async def show_card(db: Database, tenant: str, run_id: str, may_decide: bool) -> CanvasView:
    """Send the thread's card (first time) or update it in place, with the buttons its state allows."""
    detail = await asyncio.to_thread(svc.run_detail, db, get_settings(), tenant, run_id)
    view = view_of(detail, may_decide)
    order: list[str] = []
    content = card_content(detail, view, order)
    buttons = [
        cl.Action(name=b, payload={"run_id": run_id}, label=view.labels.get(b, b.title()), icon=_ICONS.get(b))
        for b in view.buttons
    ]
    actions = [*buttons, *inspect_actions(detail, order)]

    async def chart() -> list[cl.Element]:
        answer = detail.results.get("insight")
        drawn = await asyncio.to_thread(insight.insight_chart, answer) if answer else None
        drawn = drawn or await asyncio.to_thread(lift.lift_chart, detail.results.get("analyst", {}))
        if not drawn:
            return []
        name = "metric chart" if answer else "expected lift"
        return [cl.Image(name=name, content=drawn.encode(), mime="image/svg+xml", display="inline", size="large")]

    await place_card(run_id, content, actions, chart)
    return view


async def place_card(
    run_id: str, content: str, actions: list[cl.Action],
    first_elements: Callable[[], Awaitable[list[cl.Element]]] | None = None,
) -> None:  # fmt: skip
    """The thread's one card (canvas plan or copilot draft): updated in place when it shows ``run_id`` already,
    else sent (with ``first_elements``, e.g. a chart, drawn only then); the buttons of its earlier state are
    removed and the new ones sent with it."""
    await retire_actions("card_actions")
    card = thread_meta().get("card")
    if card and card.get("run_id") == run_id:
        message = cl.Message(content=content, id=card["id"], parent_id=card.get("parent_id"),
                             created_at=card.get("created_at"))  # fmt: skip
        await message.update()
        for action in actions:
            await action.send(for_id=card["id"])
    else:
        elements = await first_elements() if first_elements else []
        message = await cl.Message(content=content, elements=elements, actions=actions).send()
        await remember(
            card={"id": message.id, "parent_id": message.parent_id, "created_at": message.created_at, "run_id": run_id}
        )
    keep_actions("card_actions", actions)


_ICONS = {"approve": "check", "edit": "pencil", "reject": "x", "discard_edit": "undo-2"}


def chip_order(detail: svc.RunDetail, current: Draft | None) -> list[str]:
    """The citation numbering a form uses: the drafted copy's citations first, then any a draft added, so the
    chips mean the same sources whichever copy the form was opened on."""
    order: list[str] = []
    for v in (detail.approval or {}).get("variants", []):
        to_chips(str(v.get("body", "")), order)
    for d in current.variants if current else []:
        to_chips(d.body, order)
    return order


def editable_copy(detail: svc.RunDetail, current: Draft | None) -> list[Variant]:
    """The copy a form edits: the draft in progress, else the drafted copy."""
    return (
        current.variants
        if current
        else [Variant.model_validate(v) for v in (detail.approval or {}).get("variants", [])]
    )


def edit_form(detail: svc.RunDetail, current: Draft | None) -> cl.CustomElement:
    """The copy as a form: subject, editable body with [n] chips, the required tail shown but not editable."""
    order = chip_order(detail, current)
    variants = []
    for v in editable_copy(detail, current):
        parts = split_fixed(v.body)
        variants.append({"channel": v.channel, "subject": v.subject, "editable": to_chips(parts.editable, order),
                         "fixed": parts.fixed})  # fmt: skip
    titles = {e.citation_id: e.title for e in detail.evidence}
    sources = [{"n": i, "citation_id": c, "title": titles.get(c, c)} for i, c in enumerate(order, start=1)]
    return cl.CustomElement(
        name="EditCopy", props={"run_id": detail.run_id, "variants": variants, "sources": sources}, display="inline"
    )


def edited_copy(detail: svc.RunDetail, current: Draft | None, typed: list[dict[str, Any]]) -> list[Variant]:
    """The form's fields as variants: chips back to citation marks, each body's required tail as it was (never
    from the browser), the subject only where the variant has one."""
    order = chip_order(detail, current)
    fields = {str(f.get("channel")): f for f in typed}
    edited = []
    for v in editable_copy(detail, current):
        form = fields.get(v.channel)
        if form is None:
            continue
        body = split_fixed(v.body).body(from_chips(str(form.get("editable", "")), order))
        subject = str(form["subject"]) if v.subject is not None and form.get("subject") is not None else v.subject
        edited.append(v.model_copy(update={"body": body, "subject": subject}))
    return edited
