"""The canvas state machine: the buttons and the banner follow the run's real status and the thread's draft."""

from __future__ import annotations

from typing import Any

from hyperjourney.agents.copywriter import Variant
from hyperjourney.guardrails.tone import tone_words
from hyperjourney.ui import render
from hyperjourney.ui.canvas_state import Draft, canvas_view, escalation_text, plain_reason

VARIANT = {"channel": "email", "subject": "Hi", "body": "We would love to see you again [cite:d#0]", "tier": "small"}
APPROVAL: dict[str, Any] = {"plan": {"steps": [{"channel": "email"}]}, "policy": [], "variants": [VARIANT]}


def test_each_run_status_has_its_own_state_and_buttons() -> None:
    def state(status: str, approval: Any = None, outcome: Any = None, draft: Any = None) -> tuple[str, list[str]]:
        view = canvas_view(status, approval, outcome, draft, may_decide=True)
        return view.state, list(view.buttons)

    assert state("running") == ("running", [])
    assert state("awaiting_approval", APPROVAL) == ("awaiting_approval", ["approve", "edit", "reject"])
    refused = {**APPROVAL, "edit_problems": ["email: tone_warmth: warmth 1.00 vs requested 0.75"]}
    assert state("awaiting_approval", refused) == ("edit_refused", ["approve", "edit", "reject"])
    ok = Draft(variants=[Variant.model_validate(VARIANT)])
    assert state("awaiting_approval", APPROVAL, draft=ok) == (
        "edit_drafted",
        ["approve", "edit", "reject", "discard_edit"],
    )
    bad = Draft(variants=[Variant.model_validate(VARIANT)], problems=["email: x"])
    assert state("awaiting_approval", APPROVAL, draft=bad) == ("edit_refused", ["approve", "edit", "reject"])
    assert state("completed", outcome={"decision": "approved"}) == ("launched", [])
    assert state("rejected", outcome={"comment": "off brand"}) == ("rejected", [])
    assert state("escalated") == ("escalated", [])
    assert canvas_view("awaiting_approval", APPROVAL, None, None, may_decide=False).buttons == []


def test_an_escalation_says_why_who_acts_and_how_to_rephrase_without_raw_numbers() -> None:
    approval = {
        "kind": "escalation",
        "escalations": [{"stage": "route", "reasons": ["confidence=0.36354347834093464 below the 0.6 bar"]}],
        "proposal": {"plan_kind": "campaign"},
    }
    view = canvas_view("awaiting_approval", approval, None, None, may_decide=False)
    assert view.state == "escalated" and view.buttons == []
    assert "0.3635" not in view.banner and "confidence 36%" in view.banner
    assert "A reviewer of this workspace will approve" in view.banner and "rephrase the goal" in view.banner
    assert plain_reason("score=0.123456") == "score 0.12"
    assert "You (or any reviewer" in escalation_text(approval, may_decide=True)


def test_the_card_marks_the_words_a_guardrail_refused_in_that_variant_only() -> None:
    words = tone_words("We would love to see you again, thanks!", "warmth", "high")
    assert words == ["love", "you", "thanks"]
    named = ", ".join(map(repr, [*words, "!"]))
    problem = f"email: tone_warmth: warmth 1.00 vs requested 0.75 (tolerance 0.3); because of: {named}"
    footer = "You are receiving this because you opted in. Unsubscribe"
    email = {**VARIANT, "body": f"We would love to see you again, thanks!\n\n{footer}"}
    sms = {"channel": "sms", "body": "Thank you for your order. Reply STOP to opt out", "tier": "small"}
    approval = {**APPROVAL, "variants": [email, sms], "edit_problems": [problem]}
    view = canvas_view("awaiting_approval", approval, None, None, may_decide=True)
    text = render.plan_markdown(approval, {}, [], {}, view)
    assert "**love** to see **you** again, **thanks**\\!" in text  # punctuation is named, not marked
    assert "> You are receiving this because you opted in" in text  # the fixed footer is not marked
    assert "Thank you for your order" in text and "**your**" not in text  # nor the sms, which passed
    assert "What the guardrails refused" in text and text.index("Your edit was not accepted") < text.index("### Plan")


def test_the_sized_opportunity_is_words_and_a_table_not_a_dump() -> None:
    analyst = {
        "segment": "fintech SMBs", "size": 1920, "expected_value_usd": [12000.0, 24000.0],
        "sizing": {"lift_low": 0.1, "lift_high": 0.2, "confidence": 0.8, "min_days": 28},
        "baseline": {"size": 1920.0, "share_of_tenant": 0.4, "avg_clv": 410.5, "tenant_avg_clv": 300.0,
                     "active_30d_share": 0.55, "tenant_active_30d_share": 0.5},
    }  # fmt: skip
    researcher = {"segment": {"why": ["industry is fintech", "company size is smb"]}}
    text = render.opportunity_markdown(analyst, researcher)
    assert "1,920 customers of 4,800 (40% of all customers), where industry is fintech; company size is smb" in text
    assert "| Customer lifetime value | $410 | $300 |" in text and "| Active in the last 30 days | 55% | 50% |" in text
    assert "| **Expected lift** | +10% to +20% | |" in text and "$12,000 to $24,000" in text
    assert "share_of_tenant" not in text and "size=" not in text


def test_the_copilot_card_shows_the_customers_words_and_the_tone_in_words() -> None:
    outcome = {
        "ticket": {"ticket_id": "tkt_1", "subject": "Refund", "text": "I was charged twice.\nPlease refund it."},
        "tone": {"formality": 0.7, "warmth": 0.8, "brevity": 0.3},
        "reply": "We refunded it [cite:kb#1]",
    }
    card = render.copilot_markdown(outcome, [], [], {})
    assert "**Recommended tone** formal, warm, detailed (formality 0.7 · warmth 0.8 · brevity 0.3)" in card
    assert "**The customer wrote**\n\n> I was charged twice\\.\n> Please refund it\\." in card
