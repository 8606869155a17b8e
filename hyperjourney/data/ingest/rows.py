"""One pydantic model per ingestible dataset: what a valid row is, field by field."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

ID = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _json_object(value: Any) -> Any:
    """CSV cells carry JSON objects as text; other formats carry them as objects."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
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
    country: str | None = Field(None, min_length=2, max_length=2)
    language: str = Field("en", min_length=2, max_length=5)
    timezone: str = Field("UTC", max_length=64)
    age_band: Literal["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus"] | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime

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
    ts: AwareDatetime
    channel: str | None = Field(None, max_length=32)
    properties: dict[str, Any] = Field(default_factory=dict)

    _properties = field_validator("properties", mode="before")(_json_object)


class ProductRow(Row):
    product_id: str = ID
    name: str = Field(min_length=1, max_length=300)
    category: str = Field(min_length=1, max_length=100)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
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
    ordered_at: AwareDatetime
    status: Literal["placed", "shipped", "delivered", "cancelled", "returned", "partially_returned"]
    currency: str = Field("USD", min_length=3, max_length=3)
    delivered_at: AwareDatetime | None = None
    product_id: str = ID
    quantity: int = Field(gt=0)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    returned_quantity: int | None = Field(None, gt=0)
    return_reason: str | None = Field(None, max_length=200)
    returned_at: AwareDatetime | None = None

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
    sent_at: AwareDatetime

    _labels = field_validator("labels", mode="before")(_json_object)


class ConsentRow(Row):
    customer_id: str = ID
    channel: Literal["email", "sms", "push", "in_app", "phone", "web"]
    purpose: Literal["marketing", "transactional", "product_updates", "profiling"]
    status: Literal["granted", "withdrawn"]
    source: str = Field(min_length=1, max_length=100)
    captured_at: AwareDatetime
