"""The support escalation policy as rules: each trigger of the policy document, in the four languages, typed."""

from __future__ import annotations

import pytest

from hyperjourney.agents.tone import ToneDecision, escalations
from hyperjourney.guardrails.escalation_policy import amounts, text_triggers
from hyperjourney.tools.customers import Ticket


def _reasons(text: str) -> set[str]:
    return {e.reason for e in text_triggers(text)}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Fix it by Friday or my lawyer will hear about it.", "legal_threat"),
        ("Sonst übergebe ich die Sache meinem Anwalt.", "legal_threat"),
        ("Ya he pedido a mi banco un contracargo.", "chargeback"),
        ("I've asked my bank to dispute the charge.", "chargeback"),
        ("La semelle s'est décollée et je suis blessé au genou.", "safety"),
        ("The sheath split and I cut my hand on it.", "safety"),
        ("Someone logged into our account from abroad, were we hacked?", "data_breach"),
        ("Jemand hat sich eingeloggt, ich glaube wir wurden gehackt.", "data_breach"),
        ("I don't want the bot, can I talk to a real person?", "asked_for_human"),
        ("No quiero otra respuesta automática, quiero hablar con una persona.", "asked_for_human"),
        ("Please refund the $340 add-on we never used.", "refund_over_limit"),
        ("The three pairs came to $1,240.00 in total.", "high_value"),
    ],
)
def test_each_policy_trigger_is_found_with_its_typed_reason(text: str, reason: str) -> None:
    found = text_triggers(text)
    assert reason in {e.reason for e in found}
    assert all(e.detail for e in found)


@pytest.mark.parametrize(
    "text",
    [
        "Could I get the $14 back for the socks? No rush.",  # under the agents' $200 limit: answered
        "The water bottle leaks a little at the lid.",  # a leak, not a data leak
        "How do I export my boards to CSV before the trial ends?",
        "Merci, le support a été génial la semaine dernière !",
    ],
)
def test_ordinary_tickets_carry_no_trigger(text: str) -> None:
    assert _reasons(text) == set()


def test_amounts_read_us_and_european_formats() -> None:
    assert amounts("$1,890.00 and 290,00 € and 1.200,00 EUR and $14") == [1890.0, 290.0, 1200.0, 14.0]


def _decision(confidence: float, sentiment: str = "neutral") -> ToneDecision:
    return ToneDecision(intent="shipping_delay", sentiment=sentiment, formality=0.5, warmth=0.5, brevity=0.5,  # type: ignore[arg-type]
                        channel="email", confidence=confidence)  # fmt: skip


def _ticket(priority: str = "normal") -> Ticket:
    return Ticket(ticket_id="t1", customer_id="c1", channel="email", subject="s", status="open", priority=priority,
                  language="en", messages=[])  # fmt: skip


def test_an_intent_only_guessed_escalates_as_ambiguous_only_without_an_llm_tier() -> None:
    text = "where is my order"
    assert [e.reason for e in escalations(_decision(0.1), _ticket(), text, injection=False, guessed=True)] == [
        "ambiguous"
    ]
    assert escalations(_decision(0.1), _ticket(), text, injection=False, guessed=False) == []
    # a low but readable intent (0.2 on a dozen intents) is answered: the reply's relevance decides then
    assert escalations(_decision(0.2), _ticket(), text, injection=False, guessed=True) == []


def test_policy_reasons_before_the_draft_are_typed_and_combined() -> None:
    got = escalations(
        _decision(0.9, "very_negative"), _ticket("urgent"), "My lawyer will call you.", injection=True, guessed=False
    )
    assert [e.reason for e in got] == ["injection", "very_negative", "urgent", "legal_threat"]
    assert "very negative sentiment" in [e.line() for e in got]  # what the surfaces and the review queue show


def test_a_tie_between_the_top_two_intents_escalates_only_when_no_llm_tier_reads_it() -> None:
    """`intent_ambiguous` (the classifier's top two within its margin) is the policy's ambiguous case (16.4)."""
    text = "where is my order"
    tied = escalations(_decision(0.4), _ticket(), text, injection=False, guessed=True, tied=True)
    assert [e.reason for e in tied] == ["ambiguous"] and "ties with the runner-up" in tied[0].detail
    assert escalations(_decision(0.4), _ticket(), text, injection=False, guessed=False, tied=True) == []
    assert escalations(_decision(0.4), _ticket(), text, injection=False, guessed=True, tied=False) == []
