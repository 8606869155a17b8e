"""The copilot's ticket list: search and filters over the tenant's tickets, typed as
``tickets status:open intent:refund_request sentiment:negative channel:email age:<7d words in the text``.

Intent and sentiment are the ticket's labels where the tenant labelled it, else what the latest copilot run on
it classified. A filter that cannot be read is an error naming it; the words search subject and messages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from hyperjourney.db.database import Database
from hyperjourney.ui.copilot_input import CopilotInputError

Status = Literal["open", "pending", "solved", "closed"]
SEARCH = re.compile(r"^tickets(\s.*)?$", re.I | re.S)
_AGE = re.compile(r"^([<>])?(\d+)([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class TicketFilter(BaseModel):
    status: list[Status] = Field(default_factory=lambda: list[Status](["open", "pending"]))
    intent: str | None = None
    sentiment: str | None = None
    channel: str | None = None
    newer_than: timedelta | None = Field(None, description="age:<7d: opened less than 7 days ago")
    older_than: timedelta | None = Field(None, description="age:>2d: opened more than 2 days ago")
    words: str = ""
    limit: int = Field(20, ge=1, le=100)


class TicketRow(BaseModel):
    ticket_id: str
    subject: str
    status: str
    channel: str
    intent: str | None
    sentiment: str | None
    opened_at: datetime


def parse(typed: str) -> TicketFilter:
    """``tickets key:value … words`` as a filter (status may be ``any`` or a comma list)."""
    match = SEARCH.match(typed.strip())
    if match is None:
        raise CopilotInputError("a ticket search starts with 'tickets'")
    values: dict[str, object] = {}
    words = []
    for token in (match.group(1) or "").split():
        key, sep, value = token.partition(":")
        if not sep or key.lower() not in ("status", "intent", "sentiment", "channel", "age"):
            words.append(token)
            continue
        key, value = key.lower(), value.strip().lower()
        if not value:
            raise CopilotInputError(f"{key}: give a value, e.g. {key}:{_EXAMPLE[key]}")
        if key == "status":
            values["status"] = ["open", "pending", "solved", "closed"] if value == "any" else value.split(",")
        elif key == "age":
            age = _AGE.match(value)
            if age is None:
                raise CopilotInputError(f"age: {value!r} is not an age like <7d, >2d or <12h")
            span = timedelta(**{_UNITS[age.group(3)]: int(age.group(2))})
            values["older_than" if age.group(1) == ">" else "newer_than"] = span
        else:
            values[key] = value
    try:
        return TicketFilter.model_validate({**values, "words": " ".join(words)})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CopilotInputError(f"{first['loc'][0]}: {first['msg']}") from exc


_EXAMPLE = {"status": "open", "intent": "refund_request", "sentiment": "negative", "channel": "email", "age": "<7d"}


def search(db: Database, tenant: str, f: TicketFilter, *, now: datetime | None = None) -> list[TicketRow]:
    """Matching tickets, most recently updated first."""
    at = now or datetime.now(UTC)
    sql = (
        "SELECT t.ticket_id, t.subject, t.status, t.channel, coalesce(t.labels->>'intent', c.intent), "
        "coalesce(t.labels->>'sentiment', c.sentiment), t.opened_at FROM tickets t LEFT JOIN LATERAL ("
        "SELECT o.plan->>'intent' AS intent, o.plan->>'sentiment' AS sentiment FROM agent_runs r "
        "JOIN agent_outcomes o USING (tenant_id, run_id) WHERE r.flow = 'copilot' "
        "AND r.request->>'ticket_id' = t.ticket_id ORDER BY r.created_at DESC LIMIT 1) c ON true "
        "WHERE t.status = ANY(%(status)s) "
        "AND (%(intent)s::text IS NULL OR coalesce(t.labels->>'intent', c.intent) = %(intent)s) "
        "AND (%(sentiment)s::text IS NULL OR coalesce(t.labels->>'sentiment', c.sentiment) = %(sentiment)s) "
        "AND (%(channel)s::text IS NULL OR t.channel = %(channel)s) "
        "AND (%(newer)s::timestamptz IS NULL OR t.opened_at >= %(newer)s) "
        "AND (%(older)s::timestamptz IS NULL OR t.opened_at <= %(older)s) "
        "AND (%(words)s = '' OR t.subject ILIKE %(like)s OR EXISTS (SELECT 1 FROM messages m "
        "WHERE m.ticket_id = t.ticket_id AND m.body ILIKE %(like)s)) "
        "ORDER BY t.updated_at DESC, t.ticket_id LIMIT %(limit)s"
    )
    escaped = f.words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {
        "status": list(f.status), "intent": f.intent, "sentiment": f.sentiment, "channel": f.channel,
        "newer": at - f.newer_than if f.newer_than else None, "older": at - f.older_than if f.older_than else None,
        "words": f.words, "like": f"%{escaped}%", "limit": f.limit,
    }  # fmt: skip
    with db.tenant(tenant) as conn:
        rows = conn.execute(sql, params).fetchall()
    keys = ("ticket_id", "subject", "status", "channel", "intent", "sentiment", "opened_at")
    return [TicketRow.model_validate(dict(zip(keys, r, strict=True))) for r in rows]
