"""The copilot's one card per thread: ticket thread and customer context beside the draft, and what an agent does
with it (edit, copy, mark answered, send, escalate with a note). Updated in place like the canvas card (its id
in the thread's metadata), so a reload shows the same card with its buttons; an edit in progress lives in the
metadata too, and an answer in the database (hyperjourney.graphs.reply_desk). Registered with chainlit when
hyperjourney.ui.app imports this module.
"""

from __future__ import annotations

import asyncio

import chainlit as cl

from hyperjourney.agents.copy_edits import from_chips, to_chips
from hyperjourney.api import runs_service as svc
from hyperjourney.graphs import reply_desk
from hyperjourney.graphs.outcomes import escalate_reply
from hyperjourney.guardrails.copy_text import strip_markers
from hyperjourney.settings import get_settings
from hyperjourney.ui import canvas_card, render
from hyperjourney.ui.copilot_workspace import (
    ReplyDraft,
    customer_markdown,
    draft_state_markdown,
    extra_fields,
    thread_markdown,
    workspace,
)
from hyperjourney.ui.session import close_form, database, tenant
from hyperjourney.ui.session import may as _may
from hyperjourney.ui.session import who as _who


def _draft() -> ReplyDraft | None:
    stored = canvas_card.thread_meta().get("reply_draft")
    return ReplyDraft.model_validate(stored) if stored else None


def _body(detail: svc.RunDetail) -> str:
    current = _draft()
    return current.body if current else str(detail.result.get("reply", ""))


async def show_card(run_id: str) -> None:
    """Send the thread's copilot card (first time) or update it in place, with the buttons its state allows."""
    db, settings = database(), get_settings()
    detail = await asyncio.to_thread(svc.run_detail, db, settings, tenant(), run_id)
    ticket = detail.result.get("ticket") or {}
    ws = await asyncio.to_thread(
        workspace, db, tenant(), str(ticket.get("ticket_id", "")), str(ticket.get("customer_id", ""))
    )
    answer = await asyncio.to_thread(reply_desk.answered, db, tenant(), run_id)
    current = _draft()
    order: list[str] = []
    titles = {e.citation_id: e.title for e in detail.evidence}
    marked = render.flagged_words([f"reply: {p}" for p in current.problems], "reply") if current else []
    shown = {**detail.result, "reply": (answer.cited_body or answer.body) if answer else _body(detail)}
    parts = [
        render.copilot_markdown(shown, detail.steps, order, titles, marked),
        extra_fields(detail.result),
        draft_state_markdown(current, answer.model_dump(mode="json") if answer else None, str(ticket.get("channel"))),
        thread_markdown(ws),
        customer_markdown(detail.results.get("researcher") or {}, ws),
    ]
    content = "\n\n".join(p for p in parts if p)
    actions = [*_buttons(run_id, str(ticket.get("channel")), answered=answer is not None),
               *canvas_card.inspect_actions(detail, order)]  # fmt: skip
    await canvas_card.place_card(run_id, content, actions)


def _buttons(run_id: str, channel: str, *, answered: bool) -> list[cl.Action]:
    if answered or not _may("write"):
        return []
    names = [("edit_reply", "Edit reply", "pencil"), ("copy_reply", "Copy reply", "copy")]
    if channel in reply_desk.SENDABLE:
        names.append(("send_reply", f"Send by {channel}", "send"))
    names += [("mark_answered", "Mark answered", "check"), ("escalate", "Escalate", "flag")]
    return [cl.Action(name=n, payload={"run_id": run_id}, label=label, icon=icon) for n, label, icon in names]


async def _detail(action: cl.Action) -> svc.RunDetail | None:
    if not _may("write"):
        await cl.Message(content="You have the viewer role: only agents and reviewers answer tickets.").send()
        return None
    return await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), str(action.payload["run_id"]))


@cl.action_callback("edit_reply")
async def edit_reply(action: cl.Action) -> None:
    """The reply as a form: citations as [n] chips that stay beside their sentence."""
    detail = await _detail(action)
    if detail is None:
        return
    order: list[str] = []
    editable = to_chips(_body(detail), order)
    titles = {e.citation_id: e.title for e in detail.evidence}
    sources = [{"n": i, "citation_id": c, "title": titles.get(c, c)} for i, c in enumerate(order, start=1)]
    form = cl.CustomElement(name="EditReply", props={"run_id": detail.run_id, "body": editable, "sources": sources},
                            display="inline")  # fmt: skip
    message = await cl.Message(content="Edit the reply: [n] marks a citation (keep it beside its sentence).",
                               elements=[form]).send()  # fmt: skip
    cl.user_session.set("reply_form", message.id)


@cl.action_callback("save_reply")
async def save_reply(action: cl.Action) -> None:
    """Check the edited reply with the guardrails; the card shows it, or the words they refused."""
    detail = await _detail(action)
    if detail is None:
        return
    order: list[str] = []
    to_chips(_body(detail), order)
    body = from_chips(str(action.payload.get("body", "")), order)
    checked = await asyncio.to_thread(reply_desk.check_reply, database(), tenant(), detail.run_id, body, by=_who())
    await canvas_card.remember(reply_draft=ReplyDraft(body=checked.body, problems=checked.problems).model_dump())
    if not checked.problems:
        await close_form("reply_form")
    await show_card(detail.run_id)


@cl.action_callback("cancel_reply_edit")
async def cancel_reply_edit(action: cl.Action) -> None:
    await close_form("reply_form")


@cl.action_callback("copy_reply")
async def copy_reply(action: cl.Action) -> None:
    """The reply as the customer gets it (no citation marks), in a block with chainlit's copy button."""
    detail = await _detail(action)
    if detail is None:
        return
    text = strip_markers(_body(detail)).strip()
    fence = "`" * max(3, 1 + max((len(r) for r in text.split("\n") if set(r) == {"`"}), default=0))
    await cl.Message(content=f"The reply, ready to paste:\n\n{fence}text\n{text}\n{fence}").send()


async def _answer(action: cl.Action, *, send: bool) -> None:
    detail = await _detail(action)
    if detail is None:
        return
    current = _draft()
    if current is not None and current.problems:
        await cl.Message(content="Fix the refused edit first (see the card), or edit it again.").send()
        return
    try:
        done = await asyncio.to_thread(
            reply_desk.answer_ticket, database(), tenant(), detail.run_id, _body(detail), by=_who(), send=send
        )
    except reply_desk.ReplyRefusedError as exc:
        await cl.Message(content=f"Not answered: {render.md(exc)}").send()
        return
    await canvas_card.remember(reply_draft=None)
    await show_card(detail.run_id)
    sent = f" and sent by {done.sent_on}" if done.sent_on else ""
    await cl.Message(content=f"Ticket {render.md_line(done.ticket_id)} marked answered{sent}.").send()


@cl.action_callback("send_reply")
async def send_reply(action: cl.Action) -> None:
    await _answer(action, send=True)


@cl.action_callback("mark_answered")
async def mark_answered(action: cl.Action) -> None:
    await _answer(action, send=False)


@cl.action_callback("escalate")
async def escalate(action: cl.Action) -> None:
    """Ask for a note for the person who takes the ticket over."""
    if await _detail(action) is None:
        return
    form = cl.CustomElement(name="EscalateNote", props={"run_id": action.payload["run_id"]}, display="inline")
    message = await cl.Message(content="Escalating: add a note for the person who takes it over.",
                               elements=[form]).send()  # fmt: skip
    cl.user_session.set("escalate_form", message.id)


@cl.action_callback("confirm_escalate")
async def confirm_escalate(action: cl.Action) -> None:
    detail = await _detail(action)
    if detail is None:
        return
    current = _draft()
    body = current.body if current and not current.problems else None
    note = str(action.payload.get("note", ""))
    item = await asyncio.to_thread(escalate_reply, database(), tenant(), detail.run_id, by=_who(), note=note, body=body)
    await close_form("escalate_form")
    await cl.Message(content=f"Escalated to a human: review item `{item}`, with your note.").send()


@cl.action_callback("cancel_escalate")
async def cancel_escalate(action: cl.Action) -> None:
    await close_form("escalate_form")
