"""Typed records of the assistant's domain: what a conversation holds and what each action leaves behind."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ActionKind = Literal["book_meeting", "create_or_update_lead", "add_to_cart", "start_trial", "handoff"]
Role = Literal["visitor", "assistant"]


class Turn(BaseModel):
    """One message of a conversation as stored (the assistant's text is the rendered one, without markers)."""

    seq: int
    role: Role
    body: str
    citations: list[str] = Field(default_factory=list)
    intent: str | None = None
    sentiment: str | None = None
    created_at: datetime


class Trait(BaseModel):
    """A qualified fact about a customer, with where it came from and when."""

    trait: str
    value: str
    source: str
    observed_at: datetime


class Slot(BaseModel):
    slot_id: str
    owner_id: str
    owner_email: str
    starts_at: datetime
    ends_at: datetime


class Meeting(BaseModel):
    meeting_id: str
    slot: Slot
    customer_id: str
    conversation_id: str | None
    outbox_action_id: int


class Lead(BaseModel):
    customer_id: str
    record: dict[str, object]
    schema_version: int
    revision: int


class CartLine(BaseModel):
    customer_id: str
    product_id: str
    quantity: int


class Trial(BaseModel):
    customer_id: str
    plan: str
    started_at: datetime
    ends_at: datetime


class Handoff(BaseModel):
    """The ticket a conversation became, with what the copilot shows the agent."""

    ticket_id: str
    summary: str
    intent: str | None
    sentiment: str | None
    traits: dict[str, str]
    suggested_reply: str
    next_contact: str = Field(description="What the customer is told happens next, and when")
