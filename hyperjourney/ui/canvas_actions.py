"""The canvas's decisions and edits: approve, reject (with a reason), the edit form, follow-up edit requests
and the review queue's approve and edit. Each answer leaves the thread's one card in the state the run is in
(hyperjourney.ui.canvas_card); registered with chainlit when hyperjourney.ui.app imports this module."""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl

import hyperjourney.graphs.runs as runs
from hyperjourney.agents.copy_edits import EditRequestError, parse_request
from hyperjourney.api import runs_service as svc
from hyperjourney.graphs import edit_drafts, run_events
from hyperjourney.review import queue
from hyperjourney.settings import get_settings
from hyperjourney.ui import canvas_card, render, review_view
from hyperjourney.ui.canvas_state import Draft
from hyperjourney.ui.session import close_form, database, retire_actions, tenant
from hyperjourney.ui.session import may as _may
from hyperjourney.ui.session import who as _who


async def _resume(run_id: str, decision: dict[str, Any]) -> None:
    """Answer the run's approval; the card then shows the state the run is in (its buttons back at once if the
    answer was refused), and a launch or rejection is said once, below it."""
    if not _may("decide"):
        await cl.Message(content="Only reviewers can approve, edit or reject a plan.").send()
        return
    await retire_actions("card_actions")
    try:
        result = await asyncio.to_thread(runs.resume, database(), tenant(), run_id, {**decision, "reviewer": _who()})
    except runs.RunStateError as exc:
        await cl.Message(content=render.md(exc)).send()
        await _card(run_id)
        return
    if result.status != run_events.PAUSED:
        await canvas_card.remember(draft=None)
    await _card(run_id)
    if result.status == "completed":
        decided = "edited and approved" if decision["action"] == "edit" else "approved"
        shown = {**result.outcome, "decision": decided, "reviewer": _who()}
        await cl.Message(content=render.launch_markdown(shown)).send()
    elif result.status == "rejected":
        reason = f" Reason: {render.md(decision.get('comment', ''))}." if decision.get("comment") else ""
        await cl.Message(content=f"Rejected: nothing was sent.{reason} Type a new goal to start over.").send()


async def _card(run_id: str) -> None:
    if cl.user_session.get("reviewing") == run_id or canvas_card.thread_meta().get("run_id") == run_id:
        await canvas_card.show_card(database(), tenant(), run_id, _may("decide"))


@cl.action_callback("approve")
async def approve(action: cl.Action) -> None:
    """Approve the plan; with a checked edit in progress, approve that edit (re-checked once more by the run)."""
    run_id = str(action.payload["run_id"])
    current = canvas_card.draft() if canvas_card.thread_meta().get("run_id") == run_id else None
    if current is not None and not current.problems:
        variants = [v.model_dump(mode="json") for v in current.variants]
        await _resume(run_id, {"action": "edit", "variants": variants, "comment": current.request})
    else:
        await _resume(run_id, {"action": "approve"})


@cl.action_callback("reject")
async def reject(action: cl.Action) -> None:
    """Ask why first: the reason is stored with the decision and audited."""
    if not _may("decide"):
        await cl.Message(content="Only reviewers can reject a plan.").send()
        return
    form = cl.CustomElement(
        name="RejectReason",
        props={"run_id": action.payload.get("run_id"), "item_id": action.payload.get("item_id")},
        display="inline",
    )
    message = await cl.Message(content="Rejecting: say why (it is kept with the decision).", elements=[form]).send()
    cl.user_session.set("reject_form", message.id)


@cl.action_callback("confirm_reject")
async def confirm_reject(action: cl.Action) -> None:
    reason = " ".join(str(action.payload.get("reason", "")).split())
    if not reason:
        await cl.Message(content="Say why the plan is rejected (the reason is stored with the decision).").send()
        return
    await close_form("reject_form")
    item_id = action.payload.get("item_id")
    if item_id:
        await review_view.decide(database(), tenant(), str(item_id), "reject", _who(), reason)
        await review_view.show_queue(database(), tenant(), may_decide=True)
        return
    await _resume(str(action.payload["run_id"]), {"action": "reject", "comment": reason})


@cl.action_callback("cancel_reject")
async def cancel_reject(action: cl.Action) -> None:
    await close_form("reject_form")


@cl.action_callback("edit")
async def edit(action: cl.Action) -> None:
    """The copy as a form (subject and body; citations as chips; the required footer kept as it is)."""
    if not _may("decide"):
        await cl.Message(content="Only reviewers can edit a plan.").send()
        return
    run_id = str(action.payload["run_id"])
    detail = await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), run_id)
    if detail.approval is None or "variants" not in detail.approval:
        await cl.Message(content=f"Run `{run_id}` is {detail.status}; there is no copy to edit.").send()
        return
    await close_form("edit_form")
    form = canvas_card.edit_form(detail, canvas_card.draft())
    text = "Edit the copy: [n] marks a citation (keep it beside its sentence). The required footer stays as it is."
    message = await cl.Message(content=text, elements=[form]).send()
    cl.user_session.set("edit_form", message.id)


@cl.action_callback("save_edit")
async def save_edit(action: cl.Action) -> None:
    """Check the form's copy with the guardrails; the card shows it as an edit to approve, or what was refused."""
    if not _may("decide"):
        return
    run_id = str(action.payload["run_id"])
    detail = await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), run_id)
    edited = canvas_card.edited_copy(detail, canvas_card.draft(), list(action.payload.get("variants", [])))
    checked = await asyncio.to_thread(
        edit_drafts.check_edit, database(), tenant(), run_id, edited, reviewer=_who(), request="edited in the form"
    )
    await canvas_card.remember(
        draft=Draft(variants=checked.variants, problems=checked.problems).model_dump(mode="json")
    )
    if not checked.problems:
        await close_form("edit_form")
    await canvas_card.show_card(database(), tenant(), run_id, _may("decide"))


@cl.action_callback("cancel_edit")
async def cancel_edit(action: cl.Action) -> None:
    await close_form("edit_form")


@cl.action_callback("discard_edit")
async def discard_edit(action: cl.Action) -> None:
    await canvas_card.remember(draft=None)
    await canvas_card.show_card(database(), tenant(), str(action.payload["run_id"]), _may("decide"))


async def follow_up(run_id: str, text: str) -> None:
    """A message on a pending plan is an edit request to that plan (never a new run)."""
    if not _may("decide"):
        await cl.Message(content="You have the viewer role: a reviewer of this workspace decides this plan.").send()
        return
    request = parse_request(text)
    if request is None:
        await cl.Message(
            content="This plan is waiting for a decision, so a message here changes it. I can: make the email (or "
            "SMS) **shorter**, make it **more formal**, **drop the SMS** (or email), or **change the subject to …**. "
            "Use Edit to change the words yourself; to plan something else, start a new chat."
        ).send()
        return
    current = canvas_card.draft()
    try:
        checked = await asyncio.to_thread(
            edit_drafts.request_edit, database(), tenant(), run_id, request,
            base=current.variants if current else None, reviewer=_who(), text=text,
        )  # fmt: skip
    except (EditRequestError, runs.RunStateError) as exc:
        await cl.Message(content=f"Could not apply that: {render.md(exc)}").send()
        return
    saved = Draft(variants=checked.variants, problems=checked.problems, request=request.describe())
    await canvas_card.remember(draft=saved.model_dump(mode="json"))
    await canvas_card.show_card(database(), tenant(), run_id, _may("decide"))
    verdict = "the guardrails refused it (see the card)" if checked.problems else "checked by the guardrails"
    await cl.Message(content=f"I {request.describe()} in the plan above: {verdict}.").send()


@cl.action_callback("queue_approve")
async def queue_approve(action: cl.Action) -> None:
    if not _may("decide"):
        await cl.Message(content="Only reviewers can decide review items.").send()
        return
    run_id, item_id = action.payload.get("run_id"), action.payload.get("item_id")
    await review_view.decide(database(), tenant(), item_id, "approve", _who(), run_id=run_id)
    await review_view.show_queue(database(), tenant(), may_decide=True)


@cl.action_callback("queue_edit")
async def queue_edit(action: cl.Action) -> None:
    """A reply draft or copy in the queue, as a form (re-checked by the guardrails when saved)."""
    if not _may("decide"):
        await cl.Message(content="Only reviewers can edit review items.").send()
        return
    item = await asyncio.to_thread(queue.get, database(), tenant(), str(action.payload["item_id"]))
    if (why := review_view.stale(item)) is not None:
        await cl.Message(content=why).send()
        return
    message = await cl.Message(
        content=f"Edit {render.md_line(item.title)}: [n] marks a citation (keep it beside its sentence). "
        "Saving re-checks it and approves it when it passes.",
        elements=[review_view.edit_form(item)],
    ).send()
    cl.user_session.set("queue_form", message.id)


@cl.action_callback("save_queue_edit")
async def save_queue_edit(action: cl.Action) -> None:
    if not _may("decide"):
        return
    item_id = str(action.payload["item_id"])
    if await review_view.save_edit(database(), tenant(), item_id, str(action.payload.get("body", "")), _who()):
        await close_form("queue_form")
        await review_view.show_queue(database(), tenant(), may_decide=True)


@cl.action_callback("cancel_queue_edit")
async def cancel_queue_edit(action: cl.Action) -> None:
    await close_form("queue_form")
