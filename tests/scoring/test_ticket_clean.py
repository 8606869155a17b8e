"""The classifier reads the customer's own words: quoted threads, signatures and log pastes are set apart."""

from __future__ import annotations

from hyperjourney.scoring.ticket_clean import customer_words, split_ticket

_REPLY = """Still waiting
Hi,

The refund for my boots has not arrived yet.

Best regards,
Maya Chen
Ops Lead, Brightwater Ltd

On Mon, 2 Nov 2026 at 10:04, Northwind Support <support@northwind.example> wrote:
> Could you tell us how to upgrade your plan?
> We can add seats today."""


def test_quoted_reply_and_signature_are_not_the_customers_words() -> None:
    own, quoted = split_ticket(_REPLY)
    assert "refund for my boots" in own
    assert "Brightwater" not in own and "Maya" not in own
    assert "upgrade your plan" in quoted and "upgrade" not in own


def test_a_bare_forward_falls_back_to_the_forwarded_text() -> None:
    text = (
        "Fwd: ticket\nSee below.\n\n---------- Forwarded message ---------\nFrom: a <a@mail.example>\n\n"
        "Meine Bestellung sollte letzte Woche ankommen und die Sendungsverfolgung bewegt sich nicht."
    )
    assert "Sendungsverfolgung" in customer_words(text)
    assert "Sendungsverfolgung" not in split_ticket(text)[0]


def test_log_lines_are_dropped_and_the_opening_is_repeated() -> None:
    text = "Export\nHallo,\nDas Programm stürzt ab.\n2026-11-03T09:14:22Z ERROR 502 [4412] (3/3) 0x7f:11\n"
    words = customer_words(text)
    assert "ERROR" not in words
    assert words.count("Das Programm stürzt ab.") == 2  # once as written, once as the weighted opening
