"""The independent copy and reply graders: each check on right and wrong text, and their independence (16.2).

The graders must share no code with what they grade, so a writer that passes its own checks can still fail here:
`evals/graders.py` may import nothing from the agents, the guardrails or the asset renderer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hyperjourney.evals import graders

GRADERS = Path(graders.__file__)
WRITERS = ("hyperjourney.agents", "hyperjourney.guardrails", "hyperjourney.assets", "hyperjourney.graphs",
           "hyperjourney.tools", "hyperjourney.evals.grounding", "hyperjourney.evals.copy_judges")  # fmt: skip


def test_graders_import_nothing_from_the_writers_or_their_checks() -> None:
    imported = set()
    for node in ast.walk(ast.parse(GRADERS.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert [m for m in imported if m.startswith(WRITERS)] == []
    assert [m for m in imported if m.startswith("hyperjourney")] == []


GOOD_SMS = "Northwind: your trail running shoes are 20% off until Sunday. Come back and shop. Reply STOP to opt out"


def test_right_copy_passes_every_check() -> None:
    g = graders.grade_copy(
        "sms", None, GOOD_SMS, business="goods", facts=[("trail running shoes are 20% off", "20")],
        product_line="trail running shoes", goal_kind="Win-back", language="en",
    )  # fmt: skip
    assert g.problems == [] and g.fact_recall == 1.0
    assert (g.business, g.product_line, g.cta, g.language, g.channel_ok, g.required_text) == (True,) * 6


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Northwind: Boards automations are 20% off. Come back. Reply STOP to opt out", "business"),
        ("Northwind: socks are 20% off until Sunday. Come back and shop. Reply STOP to opt out", "product_line"),
        ("Northwind: your trail running shoes are 20% off until Sunday. Reply STOP to opt out", "cta"),
        ("Northwind: Ihre Trail-Laufschuhe sind bis Sonntag 20% günstiger. Kommen Sie zurück. Reply STOP", "language"),
        (GOOD_SMS + " " + "and much more text " * 10, "channel_ok"),
        ("Northwind: your trail running shoes are 20% off until Sunday. Come back and shop.", "required_text"),
        (GOOD_SMS.replace("20% off", "20% off [cite:kb-goods-catalog#2]"), "no_markers"),
        (
            "It is back: your trail running shoes are 20% off. Come back and shop. Reply STOP to opt out",
            "no_dangling_pronoun",
        ),
    ],
)
def test_each_copy_check_fails_on_the_copy_that_breaks_it(text: str, field: str) -> None:
    g = graders.grade_copy(
        "sms", None, text, business="goods", product_line="trail running shoes", goal_kind="win_back", language="en"
    )
    assert getattr(g, field) is False, g


def test_required_fact_recall_counts_facts_by_figure_and_words() -> None:
    facts = [("Refunds reach your card within 5 business days", "5"), ("Returns are free for 30 days", "30")]
    assert graders.fact_recall("Your refund reaches your card within 5 business days.", facts) == 0.5
    assert (
        graders.fact_recall("Refunds reach your card within 15 business days; returns free for 30 days.", facts) == 0.5
    )


def test_ledger_money_copy_needs_the_financial_disclaimer() -> None:
    body = "Northwind Ledger: move money to suppliers with instant payouts. Unsubscribe: https://x.example/u"
    assert graders.missing_required_text("email", "ledger", body) != []
    full = (
        body
        + " Northwind Cloud & Goods is a financial technology company, not a bank. "
        + ("Results described are from individual customers and will vary.")
    )
    assert graders.missing_required_text("email", "ledger", full) == []


def test_an_unknown_goal_kind_is_an_error_naming_the_known_ones() -> None:
    assert graders.normal_goal_kind("Re-engagement") == "win_back"
    with pytest.raises(graders.UnknownGoalKind, match="upsell"):
        graders.normal_goal_kind("make it pop")


def test_reply_graders_read_answer_documents_record_values_and_language() -> None:
    assert graders.answer_doc_hit(["faq-refund-status"], ["faq-refund-status", "returns-eu"]) is True
    assert graders.answer_doc_hit(["pricing"], ["faq-refund-status"]) is False
    assert graders.answer_doc_hit(["pricing"], []) is None
    reply = "Hi Ana, your order ORD-1042 ships on Friday."
    assert graders.record_fact_use(reply, {"first_name": "Ana", "order_id": "ORD-1042", "plan": "Team"}) == 2 / 3
    assert graders.language_match("Hola Ana, tu pedido sale el viernes y llega el lunes.", "es")
    assert not graders.language_match("Hi Ana, your order ships on Friday and arrives on Monday.", "es")
