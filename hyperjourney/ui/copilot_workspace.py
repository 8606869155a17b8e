"""What the support agent sees beside a copilot draft: the ticket's whole thread, the customer's profile, recent
orders, other open tickets and scores with their reasons, and where the draft stands (edited, refused, answered).

Text from the tickets is tokenised (the same PII redaction as the stored UI history) and escaped for markdown
(``render.md``) before it is shown; the data comes from the run's own results and the tenant's tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.guardrails.redaction import redact
from hyperjourney.guardrails.redaction_keys import tenant_key_in
from hyperjourney.ui import render


class ThreadMessage(BaseModel):
    author: str
    sent_at: datetime
    body: str = Field(description="tokenised")


class OtherTicket(BaseModel):
    ticket_id: str
    subject: str = Field(description="tokenised")
    status: str


class Workspace(BaseModel):
    status: str
    thread: list[ThreadMessage]
    other_open: list[OtherTicket]


class ReplyDraft(BaseModel):
    """The agent's edit of the reply in progress (kept in the thread's metadata, so it survives a reload)."""

    body: str
    problems: list[str] = Field(default_factory=list)


def workspace(db: Database, tenant: str, ticket_id: str, customer_id: str) -> Workspace:
    with db.tenant(tenant) as conn:
        key = tenant_key_in(conn)
        status = conn.execute("SELECT status FROM tickets WHERE ticket_id = %s", (ticket_id,)).fetchone()
        thread = conn.execute(
            "SELECT author, sent_at, body FROM messages WHERE ticket_id = %s ORDER BY sent_at, message_id",
            (ticket_id,),
        ).fetchall()
        others = conn.execute(
            "SELECT ticket_id, subject, status FROM tickets WHERE customer_id = %s AND ticket_id <> %s "
            "AND status IN ('open', 'pending') ORDER BY updated_at DESC LIMIT 5",
            (customer_id, ticket_id),
        ).fetchall()
    return Workspace(
        status=str(status[0]) if status else "unknown",
        thread=[ThreadMessage(author=a, sent_at=t, body=redact(b, key).text) for a, t, b in thread],
        other_open=[OtherTicket(ticket_id=i, subject=redact(s, key).text, status=st) for i, s, st in others],
    )


def thread_markdown(ws: Workspace) -> str:
    lines = [f"### Ticket thread · {render.md(ws.status)}"]
    for m in ws.thread:
        when = m.sent_at.strftime("%Y-%m-%d %H:%M")
        lines.append(f"**{render.md(m.author)}** · {when}\n\n" + render.quote(m.body))
    return "\n\n".join(lines)


def customer_markdown(context: dict[str, Any], ws: Workspace) -> str:
    """Profile, orders, open tickets and scores with reasons, from the Researcher's context of the run."""
    profile = context.get("profile") or {}
    who = [profile.get(k) for k in ("first_name", "company", "industry", "lifecycle_stage", "region", "language")]
    lines = [
        f"### Customer {render.md_line(profile.get('customer_id', '?'))}",
        " · ".join(render.md(v) for v in who if v) or "no profile details",
    ]
    orders = profile.get("recent_orders") or []
    lines.append(
        "**Recent orders** "
        + (
            "; ".join(
                f"{render.md(o.get('order_id'))} ({render.md(o.get('status'))}, {str(o.get('ordered_at', ''))[:10]})"
                for o in orders
            )
            or "none"
        )
    )
    lines.append(
        "**Other open tickets** "
        + ("; ".join(f"{render.md(t.ticket_id)}: {render.md_line(t.subject)}" for t in ws.other_open) or "none")
    )
    scores = (context.get("scores") or {}).get("scores") or {}
    if scores:
        lines.append("**Scores**")
        for name, score in scores.items():
            reasons = ", ".join(f"{r.get('direction', '')}{render.md(r.get('text', ''))}"
                                for r in (score.get("reasons") or [])[:3])  # fmt: skip
            label = f" ({render.md(score['label'])})" if score.get("label") else ""
            lines.append(
                f"- {render.md(name.replace('_', ' '))} **{float(score.get('value', 0)):.2f}**{label}"
                + (f" because {reasons}" if reasons else "")
            )
    elif context.get("scores_note"):
        lines.append(f"**Scores** not available: {render.md(context['scores_note'])}")
    return "\n\n".join(lines)


_EXTRA = ("language", "reply_language")


def extra_fields(outcome: dict[str, Any]) -> str:
    """Fields a newer draft carries (its language, a translated gist) shown when present."""
    shown = [
        f"**{render.md(k.replace('_', ' '))}** {render.md(v)}"
        for k, v in outcome.items()
        if (k in _EXTRA or "gist" in k or "translat" in k) and isinstance(v, str) and v
    ]
    return " · ".join(shown)


def draft_state_markdown(draft: ReplyDraft | None, answer: dict[str, Any] | None, channel: str) -> str:
    """Where the draft stands, in one line or a list of what the guardrails refused."""
    if answer is not None:
        how = (
            f"sent by {render.md(answer.get('sent_on'))} (outbox #{answer.get('action_id')})"
            if answer.get("sent_on")
            else f"not sent from here (the ticket came by {render.md(channel)})"
        )
        by = str(answer.get("by", "")).replace("`", "")
        return f"**Answered by {render.md(by)}**: {how}; the ticket is solved."
    if draft is None:
        return ""
    if draft.problems:
        return "**Your edit was not accepted**:\n" + "\n".join(f"- {render.md(p)}" for p in draft.problems)
    return "**Edited** and checked by the guardrails: ready to send."
