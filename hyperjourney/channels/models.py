"""Typed shapes of an outbound action and of what a channel says back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hyperjourney.policy.models import Channel as Channel  # one definition: the policy's
from hyperjourney.policy.models import Purpose as Purpose

CHANNELS: tuple[str, ...] = ("email", "sms", "push", "in_app", "webhook")


class Message(BaseModel):
    """What the customer (or the receiving system) gets; ``why`` becomes the "why you got this" line."""

    to: str = Field(description="Address, phone, device or record id; the customer id when unknown")
    subject: str | None = None
    body: str
    why: str = Field("", description="Plain-language reason the customer gets this")
    data: dict[str, Any] = Field(default_factory=dict, description="Extra fields for webhook-shaped channels")
    rendered: bool = Field(
        False, description="body is the asset renderer's final text, why line included: adapters add nothing"
    )


class OutboundAction(BaseModel):
    """An action written once to the outbox; the idempotency key makes a second write a no-op."""

    idempotency_key: str = Field(min_length=1, max_length=300)
    customer_id: str
    channel: Channel
    purpose: Purpose = "marketing"
    message: Message
    rationale: dict[str, Any] = Field(default_factory=dict, description="Why this action: reasons, rules fired")
    evidence: list[str] = Field(default_factory=list, description="Citation / evidence ids behind the content")
    journey_id: str | None = None
    enrollment_id: int | None = None
    variant: str | None = None
    send_at: datetime | None = None
    max_attempts: int | None = Field(None, ge=1, le=50)


class Delivery(BaseModel):
    """One claimed outbox row as the dispatcher hands it to an adapter."""

    action_id: int
    idempotency_key: str
    customer_id: str
    channel: Channel
    purpose: Purpose
    message: Message
    attempts: int
    max_attempts: int


class Receipt(BaseModel):
    adapter: str
    reference: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)


class SendError(Exception):
    """A failed send; ``transient`` failures are retried with backoff, the others dead-lettered at once."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class RollbackUnsupportedError(ValueError):
    """The channel cannot take back a message once delivered (email, SMS)."""
