"""One pydantic model per ingestible dataset: what a valid row is, field by field."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import to_json

from hyperjourney.settings import IngestSettings

ID = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
DATE_WITHOUT_TIME = "date without time"


@dataclass
class Validation:
    """What checking a row needs beyond the row itself; passed as ``context={"ingest": …}``.

    It holds the time and zone a date without time is taken at, the latest plausible timestamp (fixed
    when the load starts) and the largest JSON object, and counts the warnings (values accepted after a
    stated assumption). ``row_bytes`` is the size of the raw row being read where known: an object
    inside it cannot be larger, so most rows skip measuring theirs.
    """

    date_time: time = time(0, 0)
    date_zone: tzinfo = UTC
    max_future: timedelta = timedelta(days=1)
    max_json_bytes: int = 65_536
    warnings: Counter[str] = field(default_factory=Counter)
    latest: datetime = field(init=False)
    row_bytes: int | None = None

    def __post_init__(self) -> None:
        self.latest = datetime.now(UTC) + self.max_future

    @classmethod
    def from_settings(cls, config: IngestSettings) -> Validation:
        return cls(
            date_time=config.date_only_time,
            date_zone=ZoneInfo(config.date_only_zone),
            max_future=timedelta(days=config.max_future_days),
            max_json_bytes=config.max_json_field_bytes,
        )


_DEFAULTS = Validation()
"""For rows built without a load's options (seed data, tests): only its size limit is read."""


def _validation(info: ValidationInfo) -> Validation:
    """The load's options; a row built without them (seed data, tests) gets the defaults."""
    context = info.context
    found = context.get("ingest") if context else None
    return found if found is not None else _DEFAULTS


def at_default_time(value: Any, options: Validation) -> datetime | None:
    """``2026-03-01`` (or a date object) as that day at the configured time and zone; None for anything else.

    The loader calls it only for a value pydantic refused as lacking a zone, so rows with full timestamps
    never pay for it.
    """
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
    elif type(value) is date:
        day = value
    else:
        return None
    return datetime.combine(day, options.date_time, options.date_zone)


def implausible(value: datetime, options: Validation) -> str | None:
    """Why a timestamp is outside 1970-01-01 .. now + max_future, or None. Files check this in SQL at
    staging (comparing aware datetimes in Python costs about 5 µs a row); single messages check it here."""
    if EARLIEST <= value <= options.latest:
        return None
    return f"{plausible_range(options)}: {value.isoformat()}"


def plausible_range(options: Validation) -> str:
    return f"outside the plausible range ({EARLIEST:%Y-%m-%d} to {options.latest:%Y-%m-%d %H:%M} UTC)"


Timestamp = AwareDatetime
"""A zone-aware time; a bare date is taken at the configured time by the loader, the range is checked at staging."""

Money = Annotated[Decimal, Field(ge=0, lt=10**10, allow_inf_nan=False)]
"""An amount at any precision; staging rounds it half-even to the currency's minor unit and keeps the original."""


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _json_object(value: Any, info: ValidationInfo) -> Any:
    """CSV cells carry JSON objects as text; other formats carry them as objects. Bounded in size."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    options = _validation(info)
    limit = options.max_json_bytes
    if isinstance(value, str):
        if len(value) > limit:
            raise ValueError(f"larger than {limit:,} bytes")
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
        measured = True
    else:
        measured = options.row_bytes is not None and options.row_bytes <= limit
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    if not measured and len(to_json(value)) > limit:
        raise ValueError(f"larger than {limit:,} bytes")
    return value


class CustomerRow(Row):
    customer_id: str = ID
    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, max_length=40, pattern=r"^\+?[0-9 ().-]{6,}$")
    crm_id: str | None = Field(None, max_length=128)
    device_id: str | None = Field(None, max_length=128)
    cookie_id: str | None = Field(None, max_length=128)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    account_id: str | None = Field(None, max_length=128)
    company: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    job_title: str | None = Field(None, max_length=200)
    lifecycle_stage: Literal["lead", "prospect", "trial", "active", "at_risk", "churned"] = "lead"
    region: str | None = Field(None, max_length=20)
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166 code; reads the phone")
    language: str = Field("en", min_length=2, max_length=5)
    timezone: str = Field("UTC", max_length=64)
    age_band: Literal["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus"] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    created_at: Timestamp

    _attributes = field_validator("attributes", mode="before")(_json_object)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import available_timezones

        if value not in _TIMEZONES:
            _TIMEZONES.update(available_timezones())
            if value not in _TIMEZONES:
                raise ValueError(f"unknown time zone {value!r}")
        return value


_TIMEZONES: set[str] = {"UTC"}


class EventRow(Row):
    event_id: str = ID
    customer_id: str = ID
    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$")
    ts: Timestamp
    channel: str | None = Field(None, max_length=32)
    properties: dict[str, Any] = Field(default_factory=dict)

    _properties = field_validator("properties", mode="before")(_json_object)


class ProductRow(Row):
    product_id: str = ID
    name: str = Field(min_length=1, max_length=300)
    category: str = Field(min_length=1, max_length=100)
    price: Money
    margin: Decimal = Field(ge=-1, le=1, max_digits=5, decimal_places=4)
    inventory: int = Field(ge=0)
    age_gated: bool = False
    attributes: dict[str, Any] = Field(default_factory=dict)

    _attributes = field_validator("attributes", mode="before")(_json_object)


class OrderLineRow(Row):
    """One order line per row; the order header repeats on each of its lines."""

    order_id: str = ID
    line_no: int = Field(ge=1)
    customer_id: str = ID
    ordered_at: Timestamp
    status: Literal["placed", "shipped", "delivered", "cancelled", "returned", "partially_returned"]
    currency: Annotated[str, BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v)] = Field(
        "USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code"
    )
    delivered_at: Timestamp | None = None
    product_id: str = ID
    quantity: int = Field(gt=0)
    unit_price: Money
    returned_quantity: int | None = Field(None, gt=0)
    return_reason: str | None = Field(None, max_length=200)
    returned_at: Timestamp | None = None

    @field_validator("returned_at")
    @classmethod
    def _return_needs_quantity(cls, value: datetime | None, info: Any) -> datetime | None:
        if value is not None and info.data.get("returned_quantity") is None:
            raise ValueError("returned_at given without returned_quantity")
        return value


class TicketMessageRow(Row):
    """One message per row; the ticket header repeats on each of its messages."""

    ticket_id: str = ID
    message_id: str = ID
    customer_id: str = ID
    channel: Literal["email", "chat", "phone", "sms", "web", "social"]
    subject: str = Field(min_length=1, max_length=300)
    status: Literal["open", "pending", "solved", "closed"] = "open"
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    language: str = Field("en", min_length=2, max_length=5)
    labels: dict[str, Any] = Field(default_factory=dict)
    author: Literal["customer", "agent", "system"] = "customer"
    body: str = Field(min_length=1, max_length=20_000)
    sent_at: Timestamp

    _labels = field_validator("labels", mode="before")(_json_object)


class ConsentRow(Row):
    customer_id: str = ID
    channel: Literal["email", "sms", "push", "in_app", "phone", "web"]
    purpose: Literal["marketing", "transactional", "product_updates", "profiling"]
    status: Literal["granted", "withdrawn"]
    source: str = Field(min_length=1, max_length=100)
    captured_at: Timestamp
