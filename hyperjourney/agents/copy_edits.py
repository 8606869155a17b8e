"""Marketer edits to drafted copy: the parts a person may change, numbered citation chips, and plain-language
edit requests ("make the email shorter", "more formal", "drop the SMS", "change the subject to …").

A variant's body ends with text the law or the brand requires (the marketing footer, "Reply STOP to opt
out"); that tail is split off so a person never retypes it and cannot drop it. Citations show as ``[n]``
chips while a person edits and turn back into ``[cite:<id>]`` marks on save, so they stay attached to the
sentence they support. A request is applied deterministically; the result is re-checked by the guardrails
by the caller, like any edit.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from hyperjourney.agents.copywriter import Variant
from hyperjourney.guardrails.citations import is_boilerplate

CITE = re.compile(r"\[cite:([^\]\s]+)\]")
CHIP = re.compile(r"\[(\d+)\]")
_STOP_TAIL = re.compile(r"\s*(Reply STOP\b.*)$", re.IGNORECASE | re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
Channel = Literal["email", "sms", "push", "in_app"]
_CHANNEL_WORDS: dict[str, Channel] = {
    "email": "email", "e-mail": "email", "mail": "email", "sms": "sms", "text": "sms", "texts": "sms",
    "push": "push", "in-app": "in_app", "in app": "in_app", "in_app": "in_app",
}  # fmt: skip
_CHANNEL_RE = r"(e-mail|email|mail|sms|texts?|push|in[-_ ]app)"
# contractions and casual words a "more formal" request replaces (the tone guard counts them as informal)
_FORMAL_WORDS = [
    (r"\bHi there\b", "Hello"), (r"\bHey\b", "Hello"), (r"\bHi\b", "Hello"), (r"\bThanks\b", "Thank you"),
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "cannot"), (r"\bdon't\b", "do not"), (r"\bdoesn't\b", "does not"),
    (r"\bisn't\b", "is not"), (r"\baren't\b", "are not"), (r"\bwe're\b", "we are"), (r"\byou're\b", "you are"),
    (r"\bit's\b", "it is"), (r"\bwe'd\b", "we would"), (r"\bwe'll\b", "we will"), (r"\byou'll\b", "you will"),
    (r"\blet's\b", "let us"), (r"\bWant to\b", "Would you like to"), (r"\bglad\b", "pleased"),
]  # fmt: skip


class CopyParts(BaseModel):
    """A body split into what a person edits and the required tail that is kept as it is."""

    editable: str
    joiner: str = ""
    fixed: str = ""

    def body(self, editable: str | None = None) -> str:
        text = (self.editable if editable is None else editable).rstrip()
        return f"{text}{self.joiner}{self.fixed}" if self.fixed else text


class EditRequest(BaseModel):
    """One plain-language edit to the drafted copy; ``channel`` None means every variant."""

    kind: Literal["shorter", "formal", "drop", "subject"]
    channel: Channel | None = None
    value: str = ""

    def describe(self) -> str:
        where = f"the {self.channel.replace('_', '-')}" if self.channel else "the copy"
        return {
            "shorter": f"made {where} shorter",
            "formal": f"made {where} more formal",
            "drop": f"dropped {where}",
            "subject": f"changed the subject to “{self.value}”",
        }[self.kind]


class EditRequestError(ValueError):
    """The request named nothing this module can apply, or nothing it can apply to."""


def split_fixed(body: str) -> CopyParts:
    """Trailing required lines (footer, opt-out, disclaimers) become the fixed part; an SMS's inline
    "Reply STOP …" sentence too."""
    lines = body.rstrip().split("\n")
    cut = len(lines)
    while cut > 0 and (not lines[cut - 1].strip() or is_boilerplate(lines[cut - 1], [])):
        cut -= 1
    tail = lines[cut:]
    blank = next((i for i, line in enumerate(tail) if line.strip()), len(tail))
    if cut > 0 and blank < len(tail):
        return CopyParts(editable="\n".join(lines[:cut]), joiner="\n" * (blank + 1), fixed="\n".join(tail[blank:]))
    found = _STOP_TAIL.search(body.rstrip())
    if found:
        return CopyParts(editable=body[: found.start()].rstrip(), joiner=" ", fixed=found.group(1))
    return CopyParts(editable=body.rstrip())


def to_chips(text: str, order: list[str]) -> str:
    """``[cite:id]`` marks as ``[n]`` chips, numbered in ``order`` (extended as new citations appear)."""

    def chip(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"[{order.index(match.group(1)) + 1}]"

    return CITE.sub(chip, text)


def from_chips(text: str, order: list[str]) -> str:
    """``[n]`` chips back into ``[cite:id]`` marks; a number with no citation behind it stays as typed."""

    def mark(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return f"[cite:{order[n - 1]}]" if 1 <= n <= len(order) else match.group(0)

    return CHIP.sub(mark, text)


def parse_request(text: str) -> EditRequest | None:
    """The edit a follow-up asks for, or None when it asks for none this module knows."""
    low = " ".join(text.lower().split())
    subject = re.search(r"subject(?: line)?\s*(?:to|:|=|should be)\s*(.+)$", text, re.IGNORECASE | re.DOTALL)
    if subject:
        value = subject.group(1).strip().strip("\"'“”‘’").strip()
        return EditRequest(kind="subject", channel="email", value=value) if value else None
    dropped = re.search(rf"\b(?:drop|remove|skip|delete|no|without)\s+(?:the\s+)?{_CHANNEL_RE}\b", low)
    if dropped:
        return EditRequest(kind="drop", channel=_channel(dropped.group(1)))
    named = re.search(rf"\b{_CHANNEL_RE}\b", low)
    channel = _channel(named.group(1)) if named else None
    if re.search(r"\b(shorter|shorten|trim|tighter|more concise|less long|cut it down)\b", low):
        return EditRequest(kind="shorter", channel=channel)
    if re.search(r"\b(more formal|formal|less casual|more professional)\b", low):
        return EditRequest(kind="formal", channel=channel)
    return None


def _channel(word: str) -> Channel:
    return _CHANNEL_WORDS.get(word.replace("_", " "), "in_app")


def apply_request(variants: list[Variant], request: EditRequest) -> list[Variant]:
    """The variants with ``request`` applied; the required tail of every body is kept as it was."""
    targets = [v for v in variants if request.channel in (None, v.channel)]
    if not targets:
        have = ", ".join(v.channel for v in variants)
        raise EditRequestError(f"the plan has no {request.channel} copy (it has: {have})")
    if request.kind == "drop":
        kept = [v for v in variants if v.channel != request.channel]
        if not kept:
            raise EditRequestError("dropping it would leave the plan without copy: reject the plan instead")
        return kept
    out = []
    for v in variants:
        if v not in targets:
            out.append(v)
            continue
        if request.kind == "subject":
            out.append(v.model_copy(update={"subject": request.value, "passed_guardrails": False}))
            continue
        parts = split_fixed(v.body)
        edit = _shorter if request.kind == "shorter" else _formal
        out.append(v.model_copy(update={"body": parts.body(edit(parts.editable)), "passed_guardrails": False}))
    if [v.model_dump() for v in out] == [v.model_dump() for v in variants]:
        raise EditRequestError(f"nothing to change: the copy is already as {request.kind} as these edits make it")
    return out


def _shorter(text: str) -> str:
    """Keep the greeting, every cited paragraph and the sign-off; of the other paragraphs keep only the last
    one's first sentence (the call to action). A one-paragraph text keeps its cited sentences."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) < 3:
        sentences = _SENTENCE.split(text.strip())
        kept = [s for s in sentences if CITE.search(s)] or sentences[:1]
        return " ".join(kept)
    first, middle, last = paragraphs[0], paragraphs[1:-1], paragraphs[-1]
    uncited = [i for i, p in enumerate(middle) if not CITE.search(p)]
    action = uncited[-1] if uncited else None
    kept = [
        _SENTENCE.split(p.strip())[0] if i == action else p
        for i, p in enumerate(middle)
        if CITE.search(p) or i == action
    ]
    return "\n\n".join([first, *kept, last])


def _formal(text: str) -> str:
    out = text
    for pattern, replacement in _FORMAL_WORDS:
        out = re.sub(pattern, replacement, out, flags=re.IGNORECASE if pattern.islower() else 0)
    return out.replace("!", ".")
