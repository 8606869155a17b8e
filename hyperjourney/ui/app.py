"""The chainlit app `hyperjourney ui` serves: a goal-first Canvas for marketers and a support Copilot.

Loaded by chainlit from its file path. Agent work runs in a worker thread (hyperjourney.api.runs_service)
while this coroutine shows each recorded step as a chainlit Step; approvals continue the run from its
checkpoint, so a reload, a restart or another process can pick up where the conversation stopped.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from typing import Any

import chainlit as cl
from chainlit.data import get_data_layer
from chainlit.input_widget import Select, TextInput
from chainlit.types import ThreadDict

from hyperjourney.api import runs_service as svc
from hyperjourney.graphs import run_events
from hyperjourney.review.roles import can
from hyperjourney.settings import get_settings
from hyperjourney.ui import (
    canvas_actions,
    canvas_card,
    copilot_card,
    evidence,
    lift,
    offline_html,
    render,
    review_view,
    ticket_search,
)
from hyperjourney.ui.auth import check_password, install_login_message
from hyperjourney.ui.copilot_input import CHANNELS, CopilotInputError, TicketForm, choose_ticket
from hyperjourney.ui.data_layer import PostgresDataLayer
from hyperjourney.ui.server import WRONG_LOGIN
from hyperjourney.ui.session import database, tenant
from hyperjourney.ui.session import may as _may
from hyperjourney.ui.session import role as _role
from hyperjourney.ui.session import who as _who

offline_html.install()
install_login_message(WRONG_LOGIN)
CANVAS, COPILOT = "Canvas", "Copilot"
REVIEW_QUEUE = re.compile(r"(open |show )?(the )?review( queue)?", re.I)
RUN_ID = re.compile(r"run-[0-9a-f]{16}")
_FOLLOW_LIMIT_S = 600.0  # the longest the canvas follows one run before it shows where the run stands
ASKS_FOR_RESULTS = re.compile(
    r"\bhow (did|does|is|are) (it|we|that|this|the journey)\b|\b(results?|measured|readout|lift so far)\b", re.I
)
_pending: set[asyncio.Task[None]] = set()


@cl.data_layer
def data_layer() -> PostgresDataLayer:
    return PostgresDataLayer(database(), tenant())


@cl.password_auth_callback
async def login(username: str, password: str) -> cl.User | None:
    found = check_password(get_settings(), username, password)
    if found is None:
        return None
    return cl.User(identifier=found.identifier, metadata={"role": found.role, "provider": "credentials"})


@cl.set_chat_profiles
async def profiles(user: cl.User | None = None, language: str | None = None) -> list[cl.ChatProfile]:
    return [
        cl.ChatProfile(
            name=CANVAS,
            default=True,
            markdown_description="For marketers: type a goal; get a cited plan, sized opportunity and copy to approve.",
            starters=[cl.Starter(label="Lift LTV 20% in fintech SMBs", message="Lift LTV 20% in fintech SMBs")],
        ),
        cl.ChatProfile(
            name=COPILOT,
            markdown_description="For support agents: pick a ticket, give its id or paste its text; see tone, "
            "channel and a cited draft.",
        ),
    ]


async def _refuse_viewer() -> bool:
    """True (after saying so) when the logged-in role may not change anything: viewers only look."""
    if _may("write"):
        return False
    await cl.Message(
        content="You have the viewer role: only reviewers can start runs, paste tickets or escalate."
    ).send()
    return True


@cl.on_chat_start
async def start() -> None:
    if cl.user_session.get("chat_profile") == COPILOT:
        cl.user_session.set("thread_meta", {})
        await cl.ChatSettings(
            [
                TextInput(id="customer", label="Customer of a pasted ticket (email or customer id)", initial=""),
                TextInput(id="subject", label="Subject of a pasted ticket (default: its first line)", initial=""),
                Select(id="channel", label="Channel of a pasted ticket", values=list(CHANNELS), initial_index=0),
            ]
        ).send()
        await _offer_tickets()
        return
    cl.user_session.set("thread_meta", {})
    queue = "Type **review queue** to see what waits for a reviewer. " if _may("decide") else ""
    await cl.Message(
        content="Type a goal, e.g. **Lift LTV 20% in fintech SMBs**. Each agent's work appears as a step; "
        + ("you can approve, edit or reject the plan. " if _may("decide") else "only reviewers can run and approve. ")
        + queue
        + "A run id (run-…) opens that run here."
    ).send()


@cl.on_settings_update
async def ticket_form(values: dict[str, Any]) -> None:
    """The agent's own fields for the next pasted ticket (never read from the pasted text)."""
    cl.user_session.set("ticket_form", TicketForm.model_validate(values).model_dump())


async def _offer_tickets(found: ticket_search.TicketFilter | None = None) -> None:
    """The tickets to pick from: the open ones, or those a search asked for (filters and words)."""
    wanted = found or ticket_search.TicketFilter(limit=10)
    tickets = await asyncio.to_thread(ticket_search.search, database(), tenant(), wanted)
    actions = [
        cl.Action(
            name="pick_ticket",
            payload={"ticket_id": t.ticket_id},
            label=f"{t.ticket_id}: {' '.join(t.subject.split())[:40]}",
        )
        for t in tickets
    ]
    listed = "\n".join(
        f"- **{render.md_line(t.ticket_id)}** {render.md_line(t.subject)} · {t.status} · {render.md(t.channel)}"
        f" · {render.md(t.intent or 'intent unknown')} · {render.md(t.sentiment or 'sentiment unknown')}"
        f" · opened {t.opened_at:%Y-%m-%d}"
        for t in tickets
    )
    head = f"**{len(tickets)} ticket(s) found**\n\n{listed}\n\n" if found else ""
    await cl.Message(
        content=head + "Pick a ticket, type its id, or paste a ticket's text. Search with **tickets** and filters, "
        "e.g. `tickets status:open intent:refund_request sentiment:negative channel:email age:<7d refund` "
        "(status may be `any`). Set a pasted ticket's customer (email or customer id), subject and channel in the "
        "settings panel; lines inside the paste are the customer's words. It is stored as a new ticket and answered.",
        actions=actions,
    ).send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    text = message.content.strip()
    if not text:
        await cl.Message(content="Please type a goal or a ticket id.").send()
        return
    run_id = cl.user_session.get("run_id")
    if cl.user_session.get("chat_profile") == COPILOT and ticket_search.SEARCH.match(text):
        await search_tickets(text)
    elif cl.user_session.get("chat_profile") == COPILOT:
        await copilot_input(text)
    elif REVIEW_QUEUE.fullmatch(text):
        await review_view.show_queue(database(), tenant(), may_decide=_may("decide"))
    elif RUN_ID.fullmatch(text):
        await open_run(text)
    elif run_id and ASKS_FOR_RESULTS.search(text):
        await show_measured(str(run_id))
    elif run_id and await _awaiting(str(run_id)):
        await canvas_actions.follow_up(str(run_id), text)
    else:
        await run_canvas(text)


async def search_tickets(text: str) -> None:
    try:
        wanted = ticket_search.parse(text)
    except CopilotInputError as exc:
        await cl.Message(content=f"Could not search: {render.md(exc)}").send()
        return
    await _offer_tickets(wanted)


async def _awaiting(run_id: str) -> bool:
    status, _ = await asyncio.to_thread(run_events.steps_after, database(), tenant(), run_id, 10**9)
    return status == run_events.PAUSED


async def open_run(run_id: str) -> None:
    """A run id typed in the canvas opens that run in this thread (anyone may look; only reviewers decide)."""
    status, _ = await asyncio.to_thread(run_events.steps_after, database(), tenant(), run_id, 10**9)
    if status is None:
        await cl.Message(content=f"There is no run {render.md(run_id)} in this workspace.").send()
        return
    await _remember(run_id, "canvas", f"Run {run_id}")
    await show_result(run_id)


@cl.action_callback("pick_ticket")
async def pick_ticket(action: cl.Action) -> None:
    if await _refuse_viewer():
        return
    await run_copilot(str(action.payload["ticket_id"]))


async def _follow(live: svc.LiveRun) -> list[dict[str, Any]]:
    """Show each step as a collapsible chainlit Step the moment the run records it (pushed from the running
    process, graphs/run_events.py); return them all once the run pauses or ends."""
    shown: list[dict[str, Any]] = []
    await asyncio.to_thread(live.started.wait, _FOLLOW_LIMIT_S)
    if live.run_id is not None:
        recheck = get_settings().api.stream_poll_seconds
        async for kind, step in run_events.follow(database(), tenant(), live.run_id, 0, recheck_s=recheck,
                                                  limit_s=_FOLLOW_LIMIT_S):  # fmt: skip
            if kind == "step":
                shown.append(step)
                async with cl.Step(name=render.step_title(step), type="tool") as ui_step:
                    ui_step.output = render.step_markdown(step)
    await asyncio.to_thread(live.done.wait, _FOLLOW_LIMIT_S)
    return shown


async def _remember(run_id: str, flow: str, name: str) -> None:
    """Tie the conversation to its run, so a reload or a later visit can show where the run stands."""
    cl.user_session.set("run_id", run_id)
    await get_data_layer().update_thread(cl.context.session.thread_id, name=name)
    await canvas_card.remember(run_id=run_id, flow=flow, draft=None, reply_draft=None)


async def run_canvas(goal: str) -> None:
    if await _refuse_viewer():
        return
    live = svc.start_live(database(), get_settings(), tenant(), "canvas", goal)
    await asyncio.to_thread(live.started.wait, 120)
    if live.run_id is None:
        await cl.Message(content=f"Could not start: {render.md(live.error)}").send()
        return
    await _remember(live.run_id, "canvas", goal[:80])
    await _follow(live)
    if live.error is not None or live.result is None:
        await cl.Message(content=f"The run failed: {render.md(live.error)}").send()
        return
    await show_result(live.result.run_id)


async def show_result(run_id: str) -> None:
    """Render a run's current state: the copilot card, or the canvas's one plan card (with the launch message
    once a decision launched it)."""
    detail = await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), run_id)
    if detail.flow == "copilot":
        await copilot_card.show_card(run_id)
        return
    await canvas_card.show_card(database(), tenant(), run_id, _may("decide"))


async def show_measured(run_id: str, *, only_news: str | None = None) -> None:
    """Measured lift beside expected for a launched run, as a chart. With ``only_news`` (the signature of the
    readout this thread last showed) nothing is sent unless there are measured outcomes that it has not shown."""
    detail = await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), run_id)
    journey = lift.launched_journey(detail.outcome)
    if journey is None:
        if only_news is None:
            await cl.Message(
                content=f"Run `{run_id}` is **{detail.status}** and launched no journey to measure."
            ).send()
        return
    measured = await asyncio.to_thread(lift.measured_lift, database(), tenant(), journey)
    if only_news is not None and (measured is None or measured.signature() == only_news):
        return
    analyst = detail.results.get("analyst", {})
    chart = await asyncio.to_thread(lift.lift_chart, analyst, measured)
    elements: list[cl.Element] = []
    if chart:
        name = "measured lift" if measured else "expected lift"
        elements.append(cl.Image(name=name, content=chart.encode(), mime="image/svg+xml", display="inline"))
    if measured is None:
        text = (
            f"### No measured outcomes yet: journey `{journey}`\n\nNobody in the journey or its holdout has reached "
            "the goal yet; the chart shows the expected lift. Ask again once outcomes have come in."
        )
    else:
        text = lift.measured_markdown(measured)
        cl.user_session.set("measured_shown", measured.signature())
        await get_data_layer().update_thread(
            cl.context.session.thread_id, metadata={"measured_shown": measured.signature()}
        )
    await cl.Message(content=text, elements=elements).send()


async def copilot_input(text: str) -> None:
    """A ticket id opens that ticket; pasted text becomes a new ticket (stored, audited) that is then answered."""
    form = TicketForm.model_validate(cl.user_session.get("ticket_form") or {})
    try:
        choice = await asyncio.to_thread(
            choose_ticket, database(), tenant(), text, actor=_who(), role=_role(), form=form
        )
    except CopilotInputError as exc:
        await cl.Message(content=f"Could not use that: {render.md(exc)}").send()
        await _offer_tickets()
        return
    if choice.pasted:
        who = "a new customer" if choice.customer_created else f"customer `{choice.customer_id}`"
        await cl.Message(content=f"Stored the pasted ticket as `{choice.ticket_id}` for {who}.").send()
    await run_copilot(choice.ticket_id)


async def run_copilot(ticket_id: str) -> None:
    if await _refuse_viewer():
        return
    live = svc.start_live(database(), get_settings(), tenant(), "copilot", ticket_id)
    await asyncio.to_thread(live.started.wait, 120)
    if live.run_id is None:
        await cl.Message(
            content=f"{render.md(live.error)}. Pick a ticket below, type another id or paste the ticket's text."
        ).send()
        await _offer_tickets()
        return
    await _remember(live.run_id, "copilot", f"Ticket {ticket_id}")
    await _follow(live)
    if live.error is not None or live.result is None:
        await cl.Message(content=f"The run failed: {render.md(live.error)}").send()
        return
    await show_result(live.result.run_id)


@cl.action_callback("queue_open")
async def queue_open(action: cl.Action) -> None:
    await open_run(str(action.payload["run_id"]))


@cl.on_shared_thread_view
async def may_view_thread(thread: ThreadDict, viewer: cl.User | None) -> bool:
    """Reviewers of this workspace may open anyone's thread (read-only), e.g. a viewer's plan that needs them."""
    return viewer is not None and can(str((viewer.metadata or {}).get("role")), "decide")


@cl.action_callback("inspect_evidence")
async def inspect_evidence(action: cl.Action) -> None:
    """Open the one cited chunk in the side panel, replacing whatever chunk it showed before."""
    run_id, cid = str(action.payload["run_id"]), str(action.payload["citation_id"])
    detail = await asyncio.to_thread(svc.run_detail, database(), get_settings(), tenant(), run_id)
    carried = next((e for e in detail.evidence if e.citation_id == cid), None)
    if carried is None:
        await cl.Message(content=f"`{cid}` is not among this run's evidence.").send()
        return
    chunk = await asyncio.to_thread(evidence.cited_chunk, database(), tenant(), carried)
    panel = cl.Text(name=f"Evidence {cid}", content=evidence.panel_markdown(chunk), display="side")
    await cl.ElementSidebar.set_elements([panel], key=f"evidence:{run_id}:{cid}")


@cl.on_chat_resume
async def resume_thread(thread: ThreadDict) -> None:
    """After a reload the history comes from the data layer; the thread's one plan card is brought up to date in
    place (with its buttons and Inspect links again), and a launched plan's new measured lift is shown."""
    metadata = thread.get("metadata") or {}
    cl.user_session.set("thread_meta", dict(metadata))
    run_id = metadata.get("run_id")
    if not run_id:
        return
    cl.user_session.set("run_id", run_id)
    if metadata.get("flow") == "copilot":
        _after_history(show_result(str(run_id)))
        return
    if metadata.get("flow") != "canvas":
        return
    status, _ = await asyncio.to_thread(run_events.steps_after, database(), tenant(), str(run_id), 10**9)
    _after_history(show_result(str(run_id)))
    if status == "completed":
        _after_history(show_measured(str(run_id), only_news=str(metadata.get("measured_shown", ""))))


def _after_history(work: Coroutine[Any, Any, None]) -> None:
    """Chainlit replaces the page with the stored history right after on_chat_resume returns, which would wipe
    a message sent from inside it; so what a reopened thread adds is sent once that has happened."""

    async def later() -> None:
        await asyncio.sleep(1.0)
        await work

    task = asyncio.create_task(later())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
