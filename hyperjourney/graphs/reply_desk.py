"""What a support agent does with a finished copilot draft: edit it (re-checked by the guardrails the Copywriter
used, against the evidence the run cited), mark the ticket answered, and send the reply through the ticket's
channel adapter (the outbox, under the same policy check as any send).

The run itself is finished; its checkpoint holds the reply, its evidence, the tone and the ticket. An answer is
written once per run (the agent message, the ticket's status, the outbox row and the audit entry in one
transaction), so a second click or another agent finds the answer already there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.agents import copywriter, tone
from hyperjourney.assets.marked import MarkedCopyError, parse_marked
from hyperjourney.assets.render import render
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.channels.outbox import address_for, enqueue
from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.graphs.checkpoints import tenant_saver
from hyperjourney.graphs.copilot import TicketFacts
from hyperjourney.graphs.flows import build_graph
from hyperjourney.graphs.leases import RunStateError
from hyperjourney.graphs.wiring import Deps, build_deps
from hyperjourney.guardrails.models import Asset, Evidence
from hyperjourney.guardrails.rules_store import load_content_rules
from hyperjourney.policy.models import ProposedAction
from hyperjourney.settings import get_settings
from hyperjourney.tools.toolbox import ValidateInput

SENDABLE = ("email",)
"""Ticket channels a support reply goes out on through an adapter (the renderer sends support replies by email);
on the others (chat, phone, social) the agent answers where the customer is and marks the ticket answered."""


class ReplyRefusedError(ValueError):
    """The reply cannot be answered with: the guardrails or the policy refused it, or the run has no draft."""


class ReplyCheck(BaseModel):
    body: str
    problems: list[str] = Field(default_factory=list, description="guardrail failures; empty: it may be sent")


class Answered(BaseModel):
    """A ticket answered from a copilot run: who, when, what, and whether (and how) it went out."""

    run_id: str
    ticket_id: str
    by: str
    at: datetime
    body: str = Field(description="the reply as the customer gets it (no citation marks)")
    cited_body: str = Field("", description="the checked reply with its citation marks (what cites what)")
    sent_on: str | None = Field(None, description="the channel it was sent on; None: answered elsewhere")
    action_id: int | None = Field(None, description="the outbox row that sends it")


class _Draft(BaseModel):
    ticket: TicketFacts
    reply: copywriter.Reply
    tone: tone.ToneResult


def _draft(deps: Deps, tenant: str, run_id: str) -> _Draft:
    with deps.db.tenant(tenant) as conn:
        row = conn.execute("SELECT flow, status FROM agent_runs WHERE run_id = %s", (run_id,)).fetchone()
    if row is None:
        raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
    if row[0] != "copilot":
        raise RunStateError(f"run {run_id} is a {row[0]} run, not a copilot reply")
    with tenant_saver(deps.db, tenant) as saver:
        values = build_graph("copilot", saver).get_state({"configurable": {"thread_id": run_id}}).values
    if not all(values.get(k) is not None for k in ("ticket", "reply", "tone")):
        raise ReplyRefusedError(f"run {run_id} is {row[1]} and drafted no reply")
    return _Draft.model_validate({k: values[k] for k in ("ticket", "reply", "tone")})


def _problems(deps: Deps, tenant: str, run_id: str, draft: _Draft, body: str) -> list[str]:
    if not body.strip():
        return ["body: the reply is empty"]
    ctx = deps.context(tenant, run_id, "copilot")
    asset = Asset(kind="support_reply", body=body, tone=draft.tone.tone, citations=copywriter.cited(body),
                  recipient_id=draft.ticket.customer_id)  # fmt: skip
    return ctx.tools.validate_asset(ValidateInput(asset=asset, evidence=draft.reply.evidence)).messages()


def drafted_reply(db: Database, tenant: str, run_id: str) -> str:
    """The reply the run drafted (with its citation marks)."""
    return _draft(build_deps(db, get_settings()), tenant, run_id).reply.body


def check_reply(db: Database, tenant: str, run_id: str, body: str, *, by: str, deps: Deps | None = None) -> ReplyCheck:
    """Re-check an edited reply with the Copywriter's guardrails against the run's evidence; audited."""
    deps = deps or build_deps(db, get_settings())
    problems = _problems(deps, tenant, run_id, _draft(deps, tenant, run_id), body)
    deps.recorder.event(tenant, run_id, actor=by, action="reply:edit_checked",
                        payload={"body": body, "problems": problems})  # fmt: skip
    return ReplyCheck(body=body, problems=problems)


def answered(db: Database, tenant: str, run_id: str) -> Answered | None:
    """The answer given from this run, if any."""
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT payload, ts FROM audit_log WHERE entity = %s AND action = 'ticket_answered' ORDER BY id LIMIT 1",
            (run_id,),
        ).fetchone()
    return None if row is None else Answered.model_validate({**row[0], "at": row[1]})


def answer_ticket(
    db: Database, tenant: str, run_id: str, body: str, *, by: str, send: bool, deps: Deps | None = None
) -> Answered:
    """Answer the run's ticket with ``body`` (checked first): store it as the agent's message, mark the ticket
    solved and, with ``send``, write the rendered reply to the outbox for the channel's adapter. Raises
    ``ReplyRefusedError`` (nothing written) when the guardrails or the policy refuse it."""
    deps = deps or build_deps(db, get_settings())
    done = answered(db, tenant, run_id)
    if done is not None:
        return done
    draft = _draft(deps, tenant, run_id)
    problems = _problems(deps, tenant, run_id, draft, body)
    if problems:
        raise ReplyRefusedError("the guardrails refused the reply: " + "; ".join(problems))
    channel = draft.ticket.channel
    if send and channel not in SENDABLE:
        raise ReplyRefusedError(
            f"ticket {draft.ticket.ticket_id} came by {channel}: no adapter sends replies there; "
            "answer the customer there and mark it answered"
        )
    evidence = [Evidence.from_hit(h) for h in draft.reply.evidence]
    try:
        asset = parse_marked(body, evidence, kind="support_reply", purpose="support",
                             recipient_id=draft.ticket.customer_id)  # fmt: skip
    except MarkedCopyError as exc:
        raise ReplyRefusedError(f"body: {exc}") from exc
    with db.tenant(tenant) as conn:
        language = conn.execute("SELECT language FROM tickets WHERE ticket_id = %s", (draft.ticket.ticket_id,))
        locale = str((language.fetchone() or ["en"])[0])
    rendered = render(asset, "email", locale if locale in ("en", "de", "es", "fr") else "en",
                      load_content_rules(db, tenant)).body.strip()  # fmt: skip
    now = deps.clock()
    action: OutboundAction | None = None
    if send:
        decision = deps.toolbox(db, tenant).check_policy(
            ProposedAction(customer_id=draft.ticket.customer_id, channel="email", purpose="support", send_at=now)
        )
        if not decision.allowed or decision.needs_review:
            why = "; ".join(h.line() for h in decision.flagged) or "the policy asks for a review"
            raise ReplyRefusedError(f"the policy did not allow sending it: {why}")
        action = _outbound(draft, run_id, rendered, asset.subject, decision.policy_version)
    return _write(db, tenant, draft, run_id, (rendered, body), by, action, now)


def _outbound(draft: _Draft, run_id: str, body: str, subject: str | None, policy: str) -> OutboundAction:
    return OutboundAction(
        idempotency_key=f"reply:{run_id}",
        customer_id=draft.ticket.customer_id,
        channel="email",
        purpose="support",
        message=Message(
            to="",
            subject=subject or f"Re: {draft.ticket.subject}",
            body=body,
            data={"ticket_id": draft.ticket.ticket_id, "run_id": run_id},
            rendered=True,
        ),
        rationale={
            "source": "copilot",
            "run_id": run_id,
            "ticket_id": draft.ticket.ticket_id,
            "policy_version": policy,
        },
        evidence=draft.reply.citations,
    )


def _write(
    db: Database, tenant: str, draft: _Draft, run_id: str, bodies: tuple[str, str], by: str,
    action: OutboundAction | None, now: datetime,
) -> Answered:  # fmt: skip
    """One transaction: the agent's message, the ticket solved, the outbox row, the audit entry."""
    ticket_id, (body, cited_body) = draft.ticket.ticket_id, bodies
    with db.tenant(tenant) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"answer:{run_id}",))
        again = conn.execute(
            "SELECT payload, ts FROM audit_log WHERE entity = %s AND action = 'ticket_answered'", (run_id,)
        ).fetchone()
        if again is not None:
            return Answered.model_validate({**again[0], "at": again[1]})
        action_id: int | None = None
        if action is not None:
            message = action.message.model_copy(update={"to": address_for(conn, action.customer_id, "email")})
            action_id, _ = enqueue(conn, action.model_copy(update={"message": message}), actor=by)
        conn.execute(
            "INSERT INTO messages (tenant_id, message_id, ticket_id, author, body, sent_at) "
            "VALUES (current_tenant(), %s, %s, 'agent', %s, %s)",
            (f"reply:{run_id}", ticket_id, body, now),
        )
        conn.execute("UPDATE tickets SET status = 'solved', updated_at = %s WHERE ticket_id = %s", (now, ticket_id))
        answer = Answered(run_id=run_id, ticket_id=ticket_id, by=by, at=now, body=body, cited_body=cited_body,
                          sent_on="email" if action else None, action_id=action_id)  # fmt: skip
        payload: dict[str, Any] = answer.model_dump(mode="json", exclude={"at"})
        audit.append(conn, actor=by, action="ticket_answered", entity=run_id, payload=payload)
    return answer
