"""Typed loaders for the versioned golden datasets the eval suites score against.

The datasets live beside the suites in ``evals/datasets``; a broken item must fail loudly and point
at the file, the item id and the field, because a silently skipped golden item hides a regression.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hyperjourney.evals.suite import DATASETS

KB_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "kb" / "demo"
COPY_BRIEFS = DATASETS / "copy_briefs.yaml"
CHAT_SAFETY = DATASETS / "chat_safety.yaml"
COPILOT_TICKETS = DATASETS / "copilot_tickets.jsonl"
COPILOT_TICKETS_HANDWRITTEN = DATASETS / "copilot_tickets_handwritten.jsonl"
"""40 dev tickets written by hand (typos, forwarded threads, signatures, several questions, de/es/fr), labelled by
reading the support escalation policy; in-sample: written by the engineer who tuned the escalation rules."""

Channel = Literal["email", "sms", "in_app", "ad_copy"]
Business = Literal["ledger", "boards", "goods"]
Region = Literal["us", "uk", "eu"]
SafetyStyle = Literal[
    "direct_injection",
    "jailbreak_roleplay",
    "indirect",
    "encoded",
    "multilingual",
    "tool_hijack",
    "policy_bypass",
    "pii_exfiltration",
]
Intent = Literal[
    "billing_question",
    "refund_request",
    "cancel_subscription",
    "technical_issue",
    "shipping_delay",
    "product_question",
    "sizing_fit",
    "account_access",
    "complaint",
    "praise",
    "data_privacy",
    "upgrade_inquiry",
]
Sentiment = Literal["very_negative", "negative", "neutral", "positive"]
# The support escalation policy's triggers a ticket's text can carry (kb/demo/support-escalation-policy.md):
# legal threats, chargebacks, safety, data breach, refunds above the approval limit (high_value), very negative
# sentiment, and (the copilot's own rule) an embedded prompt injection. The held-out writer's reading of the policy
# (issue 16.4) adds refunds over the limit, low relevance, an ambiguous case with no LLM tier, and an explicit ask
# for a person.
EscalationReason = Literal[
    "legal_threat", "chargeback", "safety", "data_breach", "high_value", "very_negative", "injection",
    "refund_over_limit", "low_relevance", "ambiguous", "asked_for_human",
]  # fmt: skip
ToneSituation = Literal["angry", "confused", "happy", "high_stakes"]

_ID = Field(pattern=r"^[a-z]{2,4}(-[a-z]{2,4})?-\d{3}$")  # held-out ids carry a prefix: ho-tkt-001
M = TypeVar("M", bound=BaseModel)


def _compiled_patterns(patterns: list[str]) -> list[str]:
    """Refuse a golden item whose regex would fail only when a suite first uses it."""
    for p in patterns:
        try:
            re.compile(p, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {p!r} is not a valid regular expression: {exc}") from exc
    return patterns


class GoldenDataError(ValueError):
    """A golden dataset file is unreadable or an item in it is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tone(_Strict):
    """Formality, warmth and brevity on 0..1, the scale the Tone agent and guardrails use."""

    formality: float = Field(ge=0, le=1)
    warmth: float = Field(ge=0, le=1)
    brevity: float = Field(ge=0, le=1)


class RequiredFact(_Strict):
    """A fact the copy should state; `quote` is the KB sentence fragment that supports it, verbatim."""

    fact: str = Field(min_length=8)
    source: str = Field(pattern=r"^[a-z0-9-]+$", description="KB file stem in knowledge/kb/demo")
    quote: str = Field(min_length=8)
    number: str | None = Field(None, pattern=r"^\d[\d,]*(\.\d+)?$")

    @model_validator(mode="after")
    def _number_in_quote(self) -> RequiredFact:
        if self.number is not None and not number_in(self.number, self.quote):
            raise ValueError(f"number {self.number!r} does not appear in its quote")
        return self


class Trap(_Strict):
    """A tempting claim the copy must not make; any `patterns` match (case-insensitive) is a violation."""

    claim: str = Field(min_length=5)
    source: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")  # the KB document (file stem) the claim contradicts
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return _compiled_patterns(patterns)

    def violated_by(self, text: str) -> bool:
        return any(re.search(p, text, re.IGNORECASE) for p in self.patterns)


class CopyBrief(_Strict):
    id: str = _ID
    channel: Channel
    business: Business
    region: Region = "us"
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")  # the language the copy should be written in
    audience: str = Field(min_length=10)
    goal: str = Field(min_length=5)
    offer: str = Field(min_length=5)
    tone: Tone
    required_facts: list[RequiredFact] = Field(min_length=1)
    traps: list[Trap] = Field(min_length=1)

    def violations(self, copy: str) -> list[Trap]:
        """Traps the copy fell into; the suite's banned-claim count, which must stay 0."""
        return [t for t in self.traps if t.violated_by(copy)]

    def missing_numbers(self, copy: str) -> list[RequiredFact]:
        """Required facts whose figure the copy does not state with the same value."""
        return [f for f in self.required_facts if f.number is not None and not number_in(f.number, copy)]


class SafetyCase(_Strict):
    """An adversarial (or benign look-alike) customer input; `must_not` are regexes no reply or action may match."""

    id: str = _ID
    text: str = Field(min_length=5)
    style: SafetyStyle
    language: str = Field(pattern=r"^[a-z]{2}$")
    channel: Literal["chat", "email", "sms"]
    attack: bool
    goal: str = Field(min_length=5)
    must_not: list[str] = Field(default_factory=list)

    @field_validator("must_not")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return _compiled_patterns(patterns)

    @model_validator(mode="after")
    def _attacks_have_limits(self) -> SafetyCase:
        if self.attack and not self.must_not:
            raise ValueError("an attack needs at least one must_not pattern")
        return self

    def leaked_in(self, text: str) -> list[str]:
        return [p for p in self.must_not if re.search(p, text, re.IGNORECASE)]


class TicketLabels(_Strict):
    intent: Intent
    sentiment: Sentiment
    escalate: bool
    escalation_reasons: list[EscalationReason]
    injection: bool
    pii: bool

    @model_validator(mode="after")
    def _escalate_matches_reasons(self) -> TicketLabels:
        if self.escalate != bool(self.escalation_reasons):
            raise ValueError("escalate must be true exactly when escalation_reasons is not empty")
        missing = policy_triggers(self.sentiment, self.injection) - set(self.escalation_reasons)
        if missing:
            raise ValueError(f"the escalation policy requires escalation_reasons {sorted(missing)}")
        return self


def policy_triggers(sentiment: str, injection: bool) -> set[str]:
    """The escalation reasons the policy attaches to a ticket's sentiment and injection labels."""
    triggers = {"very_negative"} if sentiment == "very_negative" else set()
    return triggers | {"injection"} if injection else triggers


class ExpectedTone(Tone):
    situation: ToneSituation


class GoldenTicket(_Strict):
    id: str = _ID
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    channel: Literal["email", "chat", "phone", "sms", "web", "social"]
    business: Business
    labels: TicketLabels
    tone: ExpectedTone
    answer_docs: list[str] = Field(default_factory=list, description="KB file stems whose text answers the ticket")
    record_facts: list[str] = Field(default_factory=list, description="Customer record fields a good reply uses")


def number_in(number: str, text: str) -> bool:
    """True when `number` occurs in `text` as a whole figure ("4" is not found inside "14" or "4.5")."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?!\d|[.,]\d)", text) is not None


def kb_text(stem: str) -> str:
    """The text of one demo KB document; a missing stem is a dataset error, not a silent miss."""
    path = KB_DIR / f"{stem}.md"
    if not path.is_file():
        raise GoldenDataError(f"KB source {stem!r} has no file {path.name} in {KB_DIR}")
    return path.read_text(encoding="utf-8")


def load_copy_briefs(path: Path = COPY_BRIEFS) -> list[CopyBrief]:
    return _validate(path, _yaml_items(path, "briefs"), CopyBrief.model_validate)


def load_safety_cases(path: Path = CHAT_SAFETY) -> list[SafetyCase]:
    return _validate(path, _yaml_items(path, "cases"), SafetyCase.model_validate)


def load_copilot_tickets(path: Path = COPILOT_TICKETS) -> list[GoldenTicket]:
    items: list[Any] = []
    for n, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise GoldenDataError(f"{path.name}: line {n}: not valid JSON: {exc.msg}") from exc
    return _validate(path, items, GoldenTicket.model_validate)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldenDataError(f"{path.name}: cannot read ({exc.strerror})") from exc


def _yaml_items(path: Path, key: str) -> list[Any]:
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        raise GoldenDataError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise GoldenDataError(f"{path.name}: expected a mapping with a list under {key!r}")
    return list(data[key])


def _validate(path: Path, items: Sequence[Any], parse: Callable[[Any], M]) -> list[M]:
    parsed: list[M] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        item_id = item.get("id") if isinstance(item, dict) else None
        where = f"{path.name}: item {item_id!r}" if item_id else f"{path.name}: item #{n}"
        try:
            model = parse(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "(item)"
            raise GoldenDataError(f"{where}: field {field}: {err['msg']}") from exc
        if item_id in seen:
            raise GoldenDataError(f"{where}: field id: duplicate id")
        seen.add(str(item_id))
        parsed.append(model)
    return parsed
