"""Segment / RudderStack tracking messages (identify, track, page, screen, group, alias) and their mapping.

The spec's messages are read as typed models, then mapped onto the project's own rows: traits onto
customer columns and attributes, track/page/screen onto events, anonymousId onto a cookie identity and
alias onto an identity that resolution merges. Every problem is reported by the path of the message
field at fault (``batch[3].timestamp``), so a caller can fix its payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hyperjourney.data.ingest.rows import (
    DATE_WITHOUT_TIME,
    CustomerRow,
    EventRow,
    Timestamp,
    Validation,
    at_default_time,
    implausible,
)

SegmentId = Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:@-]+$")]
"""userId, anonymousId, groupId, previousId and messageId: they become ids, so they follow the id rule."""

ANONYMOUS_PREFIX = "anon:"
"""Profile id of a visitor known only by anonymousId, until identify/alias links it to a user."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    message_id: SegmentId | None = Field(None, alias="messageId")
    user_id: SegmentId | None = Field(None, alias="userId")
    anonymous_id: SegmentId | None = Field(None, alias="anonymousId")
    timestamp: Any = None
    original_timestamp: Any = Field(None, alias="originalTimestamp")
    context: dict[str, Any] = Field(default_factory=dict)


class Identify(_Message):
    type: Literal["identify"]
    traits: dict[str, Any] = Field(default_factory=dict)


class Track(_Message):
    type: Literal["track"]
    event: str = Field(min_length=1, max_length=200)
    properties: dict[str, Any] = Field(default_factory=dict)


class Page(_Message):
    type: Literal["page", "screen"]
    name: str | None = Field(None, max_length=300)
    category: str | None = Field(None, max_length=300)
    properties: dict[str, Any] = Field(default_factory=dict)


class Group(_Message):
    type: Literal["group"]
    group_id: SegmentId = Field(alias="groupId")
    traits: dict[str, Any] = Field(default_factory=dict)


class Alias(_Message):
    type: Literal["alias"]
    previous_id: SegmentId = Field(alias="previousId")
    user_id: SegmentId = Field(alias="userId")


Message = Annotated[Identify | Track | Page | Group | Alias, Field(discriminator="type")]


class Batch(BaseModel):
    """The body of ``/v1/batch``; the spec's batch-level context and integrations are accepted and unused."""

    model_config = ConfigDict(extra="allow")

    batch: list[Message] = Field(min_length=1, max_length=10_000)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class SegmentError(ValueError):
    """One or more messages are bad; nothing of the request is stored."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"{problems[0].field}: {problems[0].message}")
        self.problems = problems


@dataclass
class Profile:
    """What the messages say about one profile, in order: the customer row and its identities."""

    customer: CustomerRow
    sources: dict[str, str]
    """CustomerRow field -> message path, to name the field when the database refuses it"""
    cookies: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)


_TRAIT_COLUMNS = {
    "email": "email",
    "phone": "phone",
    "firstName": "first_name",
    "first_name": "first_name",
    "lastName": "last_name",
    "last_name": "last_name",
    "title": "job_title",
    "industry": "industry",
}
"""Segment reserved traits (and RudderStack's snake_case spellings) that are customer columns."""


def customer_from_traits(
    customer_id: str, traits: dict[str, Any], when: datetime, where: str, options: Validation
) -> Profile:
    """A customer row from identify traits: reserved traits become columns, the rest attributes."""
    data: dict[str, Any] = {"customer_id": customer_id}
    sources = {"customer_id": f"{where}.userId"}
    rest: dict[str, Any] = {}
    for key, value in traits.items():
        column = _TRAIT_COLUMNS.get(key)
        if column is not None and value is not None:
            data[column], sources[column] = value, f"{where}.traits.{key}"
        elif key == "name" and isinstance(value, str) and value.strip():
            first, _, last = value.strip().partition(" ")
            data.setdefault("first_name", first)
            data.setdefault("last_name", last or None)
            sources.setdefault("first_name", f"{where}.traits.name")
            sources.setdefault("last_name", f"{where}.traits.name")
        elif key == "company" and isinstance(value, dict):
            data["company"], sources["company"] = value.get("name"), f"{where}.traits.company.name"
            if value.get("industry"):
                data["industry"], sources["industry"] = value["industry"], f"{where}.traits.company.industry"
        elif key == "company" and isinstance(value, str):
            data["company"], sources["company"] = value, f"{where}.traits.company"
        elif key == "address" and isinstance(value, dict) and isinstance(value.get("country"), str):
            country = value["country"].strip()
            if len(country) == 2:
                data["country"], sources["country"] = country.upper(), f"{where}.traits.address.country"
            rest[key] = value
        elif key == "createdAt":
            data["created_at"] = checked_time(value, f"{where}.traits.createdAt", options)
            sources["created_at"] = f"{where}.traits.createdAt"
        else:
            rest[key] = value
    data.setdefault("created_at", when)
    sources.setdefault("created_at", f"{where}.timestamp")
    data["attributes"], sources["attributes"] = rest, f"{where}.traits"
    return Profile(_validated(CustomerRow, data, sources, options), sources)


def customer_from_group(customer_id: str, message: Group, when: datetime, where: str, options: Validation) -> Profile:
    """group → the profile's account: groupId is ``account_id``, the group's name and industry its company."""
    traits = message.traits
    data: dict[str, Any] = {"customer_id": customer_id, "account_id": message.group_id, "created_at": when}
    sources = {
        "customer_id": f"{where}.userId",
        "account_id": f"{where}.groupId",
        "created_at": f"{where}.timestamp",
        "company": f"{where}.traits.name",
        "industry": f"{where}.traits.industry",
        "attributes": f"{where}.traits",
    }
    if isinstance(traits.get("name"), str):
        data["company"] = traits["name"]
    if isinstance(traits.get("industry"), str):
        data["industry"] = traits["industry"]
    data["attributes"] = {"group": {"id": message.group_id, **traits}}
    return Profile(_validated(CustomerRow, data, sources, options), sources)


def bare_customer(customer_id: str, when: datetime, where: str, options: Validation) -> Profile:
    sources = {"customer_id": f"{where}.userId", "created_at": f"{where}.timestamp"}
    row = _validated(CustomerRow, {"customer_id": customer_id, "created_at": when}, sources, options)
    return Profile(row, sources)


def event_of(message: Track | Page, customer_id: str, when: datetime, where: str, options: Validation) -> EventRow:
    """track → its name in snake_case (the name as sent kept as ``$event``); page/screen → page_view/screen_view."""
    if message.message_id is None:
        raise SegmentError([FieldProblem(f"{where}.messageId", "required: it is the event's id (idempotency)")])
    if isinstance(message, Track):
        kind, properties = event_type(message.event), {**message.properties, "$event": message.event}
        sources = {"type": f"{where}.event", "properties": f"{where}.properties"}
        channel = None
    else:
        kind = f"{message.type}_view"
        named = {"name": message.name, "category": message.category}
        properties = {**message.properties, **{k: v for k, v in named.items() if v is not None}}
        sources = {"properties": f"{where}.properties"}
        channel = "web" if message.type == "page" else "app"
    sources |= {
        "event_id": f"{where}.messageId",
        "customer_id": f"{where}.userId" if message.user_id else f"{where}.anonymousId",
        "ts": f"{where}.timestamp",
    }
    data = {
        "event_id": message.message_id,
        "customer_id": customer_id,
        "type": kind,
        "ts": when,
        "channel": channel,
        "properties": properties,
    }
    return _validated(EventRow, data, sources, options)


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def event_type(name: str) -> str:
    """'Order Completed' -> 'order_completed' (the project's event types are lower snake case)."""
    slug = _NOT_WORD.sub("_", name.lower()).strip("_") or "event"
    return (slug if slug[0].isalpha() else f"e_{slug}")[:64]


def timestamp_of(message: _Message, where: str, received: datetime, options: Validation) -> datetime:
    """``timestamp``, else ``originalTimestamp``, else the time it was received (as Segment does)."""
    raw, name = message.timestamp, "timestamp"
    if raw is None:
        raw, name = message.original_timestamp, "originalTimestamp"
    if raw is None:
        return received
    return checked_time(raw, f"{where}.{name}", options)


def checked_time(raw: Any, path: str, options: Validation) -> datetime:
    """A message's time: zone-aware (a bare date at the configured time) and within the plausible range."""
    when = at_default_time(raw, options)
    if when is None:
        try:
            when = _TIMESTAMP.validate_python(raw)
        except ValidationError as exc:
            raise SegmentError([FieldProblem(path, str(exc.errors()[0]["msg"]))]) from None
    else:
        options.warnings[DATE_WITHOUT_TIME] += 1
    reason = implausible(when, options)
    if reason is not None:
        raise SegmentError([FieldProblem(path, reason)])
    return when


_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)
R = TypeVar("R", bound=BaseModel)


def _validated(model: type[R], data: dict[str, Any], sources: dict[str, str], options: Validation) -> R:
    try:
        return model.model_validate(data, context={"ingest": options})
    except ValidationError as exc:
        raise SegmentError(
            [
                FieldProblem(sources.get(column, column), str(err["msg"]).removeprefix("Value error, "))
                for err in exc.errors()
                for column in [str(err["loc"][0]) if err["loc"] else "(row)"]
            ]
        ) from None
