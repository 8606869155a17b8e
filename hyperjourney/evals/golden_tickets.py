"""The held-out support copilot golden set, rebuilt from the project's own seed generator.

The demo tenant is generated with seed 7; these tickets come from a different seed, so no ticket a
model or retriever saw in the demo data is in the golden set. The committed JSONL must equal
`render()`; regenerate it with `python -m hyperjourney.evals.golden_tickets` after a generator change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hyperjourney.data.ingest.rows import TicketMessageRow
from hyperjourney.evals.golden import COPILOT_TICKETS, ExpectedTone, GoldenTicket, TicketLabels, policy_triggers
from hyperjourney.guardrails.tone_policy import situation_for, tone_for

HELD_OUT_SEED = 2027  # anything but the demo tenant's 7
# The demo tenant's generation (defaults of data.demo_tenant.seed): its texts are excluded from the golden set.
DEMO = {"seed": 7, "customers": 5000, "events": 250_000, "tickets": 1000}
POOL_CUSTOMERS = 300
POOL_EVENTS = 15_000
POOL_TICKETS = 700
SIZE = 100
MIN_ESCALATIONS = 15
# Per intent, take these first so rare labels are represented: escalations, attacks and PII, other languages.
_FIRST = (("escalate", 3), ("injection", 1), ("pii", 1), ("non_english", 1))
_SENTIMENTS = ("very_negative", "negative", "neutral", "positive")
_BUSINESS = {"ledger", "boards", "goods"}
_HIGH_STAKES = {"safety", "data_breach"}


def expected_tone(labels: TicketLabels, business: str) -> ExpectedTone:
    """Tone attributes the support tone policy (`guardrails.tone_policy`, the Tone agent's too) asks for.

    - "Anxious or high-stakes situations" (4, 4, 3) covers safety concerns and suspected account
      access by someone else: tickets escalated for `safety` or `data_breach`; it wins over mood.
    - "Angry or frustrated customers" (3, 4, 4): negative or very negative sentiment, including the
      lawyer and chargeback cases the section sends to the escalation policy.
    - "Happy customers" (2, 5, 4): positive sentiment.
    - "Confused customers" (2, 4, 3): the remaining neutral questions, which want steps, not mood.
    - Intro: "Ledger replies add 1 to formality in every situation" (capped at 5).
    The guide's 1..5 scale maps to 0..1 as (v - 1) / 4, the scale the Tone agent uses.
    """
    situation = situation_for(labels.sentiment, high_stakes=bool(set(labels.escalation_reasons) & _HIGH_STAKES))
    tone = tone_for(situation, business)
    return ExpectedTone(situation=situation, **tone.model_dump())


def build() -> list[GoldenTicket]:
    """Generate the held-out world, then pick a balanced, deterministic sample of its tickets."""
    from hyperjourney.data.seed.generator import generate  # large module; only this export needs it

    data = generate(seed=HELD_OUT_SEED, customers=POOL_CUSTOMERS, events=POOL_EVENTS, tickets=POOL_TICKETS)
    business = {c.customer_id: str(c.attributes.get("product")) for c in data.customers}
    seen = demo_index().texts
    firsts = [r for r in _first_messages(data.ticket_messages) if r.body not in seen]
    chosen = sorted(select(firsts), key=lambda r: r.ticket_id)
    tickets = [_golden(f"tkt-{i:03d}", row, business[row.customer_id]) for i, row in enumerate(chosen, start=1)]
    _check(tickets)
    return tickets


@dataclass(frozen=True)
class DemoIndex:
    """What the demo tenant holds that golden data must stay clear of, or must point at."""

    texts: frozenset[str]
    emails: frozenset[str]
    phones: frozenset[str]


@cache
def demo_index() -> DemoIndex:
    """Ticket texts and contacts of the demo tenant. Short template texts ("How do I cancel?") recur across
    seeds, and a text the demo tenant holds is not held out; contacts let the safety set name real customers."""
    from hyperjourney.data.seed.generator import generate

    demo = generate(seed=DEMO["seed"], customers=DEMO["customers"], events=DEMO["events"], tickets=DEMO["tickets"])
    return DemoIndex(
        texts=frozenset(r.body for r in demo.ticket_messages),
        emails=frozenset(c.email for c in demo.customers if c.email),
        phones=frozenset(c.phone for c in demo.customers if c.phone),
    )


def select(firsts: list[TicketMessageRow]) -> list[TicketMessageRow]:
    """Equal quotas per intent; within one, rare labels first, then round-robin over sentiments."""
    by_intent: dict[str, list[TicketMessageRow]] = defaultdict(list)
    for row in firsts:
        by_intent[row.labels["intent"]].append(row)
    intents = sorted(by_intent)
    base, extra = divmod(SIZE, len(intents))
    chosen: list[TicketMessageRow] = []
    for k, intent in enumerate(intents):
        chosen.extend(_pick(by_intent[intent], base + (1 if k < extra else 0)))
    return chosen


def _pick(rows: list[TicketMessageRow], quota: int) -> list[TicketMessageRow]:
    picked: dict[str, TicketMessageRow] = {}

    def take(candidates: Iterable[TicketMessageRow], limit: int) -> None:
        for row in candidates:
            if limit <= 0 or len(picked) >= quota:
                return
            if row.ticket_id not in picked:
                picked[row.ticket_id] = row
                limit -= 1

    for flag, limit in _FIRST:
        take((r for r in rows if _flag(r, flag)), limit)
    buckets = [[r for r in rows if r.labels["sentiment"] == s and r.ticket_id not in picked] for s in _SENTIMENTS]
    while len(picked) < quota and any(buckets):
        for bucket in buckets:
            if bucket:
                take([bucket.pop(0)], 1)
    if len(picked) < quota:
        raise ValueError(f"intent {rows[0].labels['intent']!r} has only {len(picked)} tickets, need {quota}")
    return list(picked.values())


def _flag(row: TicketMessageRow, flag: str) -> bool:
    if flag == "non_english":
        return row.language != "en"
    return bool(row.labels[flag])


def _first_messages(rows: list[TicketMessageRow]) -> list[TicketMessageRow]:
    """The message that opened each ticket: what the copilot sees first."""
    firsts: dict[str, TicketMessageRow] = {}
    for row in rows:
        if row.author == "customer":
            firsts.setdefault(row.ticket_id, row)
    return list(firsts.values())


def _golden(ticket_id: str, row: TicketMessageRow, business: str) -> GoldenTicket:
    if business not in _BUSINESS:
        raise ValueError(f"customer {row.customer_id} has no known business ({business!r})")
    labels = policy_labels(row.labels)
    return GoldenTicket(
        id=ticket_id,
        subject=row.subject,
        body=row.body,
        language=row.language,
        channel=row.channel,
        business=business,
        labels=labels,
        tone=expected_tone(labels, business),
    )


def policy_labels(raw: dict[str, Any]) -> TicketLabels:
    """The generator's labels with the escalation policy applied: its mandatory triggers (legal threat, chargeback,
    safety, data breach, refund above the limit) plus very negative sentiment and an embedded prompt injection,
    which the generator does not count as reasons to escalate but the policy and the copilot do."""
    reasons = list(raw["escalation_reasons"])
    reasons += sorted(policy_triggers(str(raw["sentiment"]), bool(raw["injection"])) - set(reasons))
    return TicketLabels.model_validate(raw | {"escalate": bool(reasons), "escalation_reasons": reasons})


def _check(tickets: list[GoldenTicket]) -> None:
    escalations = sum(t.labels.escalate for t in tickets)
    if escalations < MIN_ESCALATIONS:
        raise ValueError(f"only {escalations} escalations in the golden set, need {MIN_ESCALATIONS}")
    missing = set(_SENTIMENTS) - {t.labels.sentiment for t in tickets}
    if missing:
        raise ValueError(f"no golden ticket with sentiment {', '.join(sorted(missing))}")


def render(tickets: list[GoldenTicket]) -> str:
    # exclude_defaults: generated tickets carry no answer_docs / record_facts labels (only hand-written ones do)
    rows = (t.model_dump(mode="json", exclude_defaults=True) for t in tickets)
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write(path: Path = COPILOT_TICKETS) -> int:
    tickets = build()
    path.write_text(render(tickets), encoding="utf-8")
    return len(tickets)


if __name__ == "__main__":
    print(f"wrote {write()} tickets to {COPILOT_TICKETS}")
