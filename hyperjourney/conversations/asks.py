"""What a visitor explicitly asks the assistant to do, read by rules (the small tier): book a call, start a
trial, add to cart, talk to a person; and the email address or slot number a message gives."""

from __future__ import annotations

import re
from typing import Literal

Ask = Literal["human", "meeting", "trial", "cart"]
_ASKS: tuple[tuple[Ask, re.Pattern[str]], ...] = (
    ("human", re.compile(r"\b(human|real person|an agent|a person|someone real|representative|manager)\b")),
    ("meeting", re.compile(r"\b(book|schedule|set up|arrange)\b.*\b(call|meeting|demo)\b|\b(demo|meeting)\b")),
    ("trial", re.compile(r"\b(free trial|start (a |the |my )?trial|try it)\b")),
    ("cart", re.compile(r"\b(add|put)\b.*\b(cart|basket|bag)\b|\bbuy\b")),
)
_EMAIL = re.compile(r"[^@\s<>(),;:]+@[^@\s<>(),;:]+\.[A-Za-z]{2,}")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "1st": 1, "2nd": 2, "3rd": 3}


def asks_in(text: str) -> list[Ask]:
    low = text.lower()
    return [ask for ask, rx in _ASKS if rx.search(low)]


def email_in(text: str) -> str | None:
    found = _EMAIL.search(text)
    return found.group().rstrip(".") if found else None


def choice_in(text: str, options: int) -> int | None:
    """The 1-based option a reply picks ("2", "the second one"), or None."""
    low = text.lower()
    for word, n in _ORDINALS.items():
        if re.search(rf"\b{word}\b", low) and n <= options:
            return n
    numbers = [int(m) for m in re.findall(r"(?<![\d:])\b([1-9])\b(?![\d:])", low)]
    return next((n for n in numbers if n <= options), None)
