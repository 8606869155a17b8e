"""The golden datasets: sizes, unique ids, facts backed by the KB, balanced labels, clear errors."""

from __future__ import annotations

import inspect
import json
from collections import Counter
from pathlib import Path

import pytest

from hyperjourney.data import demo_tenant
from hyperjourney.evals import golden, golden_tickets
from hyperjourney.evals.golden import GoldenDataError, GoldenTicket, TicketLabels


@pytest.fixture(scope="module")
def tickets() -> list[GoldenTicket]:
    return golden.load_copilot_tickets()


@pytest.fixture(scope="module")
def exported() -> list[GoldenTicket]:
    """One export per module: it generates the held-out world and the full demo world."""
    return golden_tickets.build()


def test_copilot_tickets_size_ids_and_balance(tickets: list[GoldenTicket]) -> None:
    assert len(tickets) == 100
    assert len({t.id for t in tickets}) == 100
    intents = Counter(t.labels.intent for t in tickets)
    assert len(intents) == 12
    assert max(intents.values()) - min(intents.values()) <= 1
    assert {t.labels.sentiment for t in tickets} == {"very_negative", "negative", "neutral", "positive"}
    assert sum(t.labels.escalate for t in tickets) >= 15
    assert {t.business for t in tickets} == {"ledger", "boards", "goods"}
    assert {"de", "es", "fr"} <= {t.language for t in tickets}
    assert any(t.labels.injection for t in tickets) and any(t.labels.pii for t in tickets)


def test_committed_tickets_equal_the_export(exported: list[GoldenTicket]) -> None:
    """The JSONL is reproducible from the generator; a drift means: regenerate and review the diff."""
    assert golden_tickets.render(exported) == golden.COPILOT_TICKETS.read_text(encoding="utf-8")


def test_tickets_are_held_out_from_the_demo_tenant(exported: list[GoldenTicket]) -> None:
    defaults = inspect.signature(demo_tenant.seed).parameters
    demo_args = {"seed": "seed_value", "customers": "customers", "events": "events", "tickets": "tickets"}
    assert {k: defaults[v].default for k, v in demo_args.items()} == golden_tickets.DEMO
    assert golden_tickets.DEMO["seed"] != golden_tickets.HELD_OUT_SEED
    assert {t.body for t in exported}.isdisjoint(golden_tickets.demo_texts())


@pytest.mark.parametrize(
    ("sentiment", "reasons", "business", "expected"),
    [
        ("very_negative", ["legal_threat"], "goods", ("angry", 0.5, 0.75, 0.75)),
        ("negative", ["safety"], "goods", ("high_stakes", 0.75, 0.75, 0.5)),
        ("neutral", ["data_breach"], "ledger", ("high_stakes", 1.0, 0.75, 0.5)),
        ("positive", [], "boards", ("happy", 0.25, 1.0, 0.75)),
        ("positive", [], "ledger", ("happy", 0.5, 1.0, 0.75)),
        ("neutral", [], "boards", ("confused", 0.25, 0.75, 0.5)),
    ],
)
def test_expected_tone_follows_the_support_tone_guide(
    sentiment: str, reasons: list[str], business: str, expected: tuple[str, float, float, float]
) -> None:
    labels = TicketLabels.model_validate(
        {
            "intent": "complaint",
            "sentiment": sentiment,
            "escalate": bool(reasons),
            "escalation_reasons": reasons,
            "injection": False,
            "pii": False,
        }
    )
    tone = golden_tickets.expected_tone(labels, business)
    assert (tone.situation, tone.formality, tone.warmth, tone.brevity) == expected


def test_committed_tone_matches_the_rule(tickets: list[GoldenTicket]) -> None:
    for t in tickets:
        assert t.tone == golden_tickets.expected_tone(t.labels, t.business), t.id


def test_malformed_ticket_names_file_item_and_field(tmp_path: Path, tickets: list[GoldenTicket]) -> None:
    rows = [t.model_dump(mode="json") for t in tickets[:3]]
    rows[1]["labels"]["sentiment"] = "furious"
    path = tmp_path / "copilot_tickets.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(
        GoldenDataError, match=rf"copilot_tickets.jsonl: item '{rows[1]['id']}': field labels.sentiment"
    ):
        golden.load_copilot_tickets(path)


def test_ticket_line_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "copilot_tickets.jsonl"
    path.write_text('{"id": "tkt-001"\n', encoding="utf-8")
    with pytest.raises(GoldenDataError, match=r"copilot_tickets\.jsonl: line 1: not valid JSON"):
        golden.load_copilot_tickets(path)
