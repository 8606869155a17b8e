"""A support reply's words in the reply's language (prompts/support_reply_phrases): the greeting and closing its
tone asks for, the opening its intent and mood ask for, and the lines that state the customer's own record.

Tone is realised, not only checked: a formal tone greets formally, a warm one closes warmly. Which record fields a
ticket needs follows its intent (guardrails.records picks them: the latest order's status, date and delivery for
where-is-my-order, refunds, sizing and complaints; the plan and seats for billing, upgrades and cancelling).
Each line cites the record fields it states (``record:order/<id>#status``), and the guard checks every one against
the row, so what the reply says about the customer is what the database holds.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from hyperjourney.guardrails.records import RecordFact
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.prompts.loader import load

LOCALES = ("en", "de", "es", "fr")
"""Languages the small tier answers in; any other falls back to English."""
FORMAL_GREETING, WARM_CLOSING = 0.65, 0.75
"""Tone at which a reply greets formally ("Dear") and closes warmly (the Tone agent's formality and warmth)."""
RECORD_RELEVANCE = 0.7
"""How well a record line answers a ticket of its intent: the ticket asked about this order or this plan, so the
reply says something on its product and intent even when the knowledge base has nothing closer."""


@cache
def _table() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = yaml.safe_load(load("support_reply_phrases").text)
    return table


def phrases(locale: str) -> dict[str, str]:
    """The support reply's greeting, openings, closings and notes in ``locale`` (English for any other)."""
    words: dict[str, str] = _table().get(locale) or _table()["en"]
    return words


def opening_closing(intent: str, sentiment: str, words: dict[str, str], tone: ToneAttributes | None) -> tuple[str, str]:
    """Opening and closing lines: praise is thanked, trouble gets an apology, a question a plain answer; a very
    negative message gets an apology first and a named owner who follows up; a warm tone the warmer closing."""
    if intent == "praise":
        return words["praise"], words["praise_closing"]
    if sentiment == "very_negative":
        return words["very_negative"], words["owner_closing"]
    warm = tone is not None and tone.warmth >= WARM_CLOSING
    return words["apology" if sentiment == "negative" else "plain"], words["closing_warm" if warm else "closing"]


def _cite(line: str, facts: list[RecordFact]) -> str:
    return " ".join([line, *(f"[cite:{f.citation_id}]" for f in facts)])


def record_lines(facts: list[RecordFact], locale: str) -> list[str]:
    """One cited sentence per record statement: the order (its date and status), its delivery, the plan, the seats."""
    words = _table().get(locale) or _table()["en"]
    by = {(f.table, f.field): f for f in facts}
    lines = []
    status, placed = by.get(("order", "status")), by.get(("order", "ordered_at"))
    if status and placed:
        said = words["status"].get(status.value, status.value)
        text = words["order_line"].format(order=status.key, date=placed.value, status=said)
        lines.append(_cite(text, [placed, status]))
    if delivered := by.get(("order", "delivered_at")):
        lines.append(_cite(words["delivered_line"].format(order=delivered.key, date=delivered.value), [delivered]))
    if plan := by.get(("customer", "plan")):
        lines.append(_cite(words["plan_line"].format(plan=plan.value.title()), [plan]))
    if seats := by.get(("customer", "seats")):
        lines.append(_cite(words["seats_line"].format(seats=seats.value), [seats]))
    return lines
