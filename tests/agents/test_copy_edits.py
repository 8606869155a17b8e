"""Marketer edits: the required tail is never editable, citations round-trip as chips, requests apply."""

from __future__ import annotations

import pytest

from hyperjourney.agents.copy_edits import (
    EditRequest,
    EditRequestError,
    apply_request,
    from_chips,
    parse_request,
    split_fixed,
    to_chips,
)
from hyperjourney.agents.copywriter import Variant

FOOTER = "You are receiving this because you opted in to Acme updates. Unsubscribe · Manage preferences"
EMAIL = (
    "Hi there,\n\nHere is something teams like yours told us:\n\nTeams cut churn by 12% [cite:doc-a#0]\n\n"
    "Want to see how it could work for your team? Reply to this email and we would be glad to show you around.\n\n"
    f"Thank you,\nThe Acme team\n\n{FOOTER}"
)
SMS = "Acme: Teams cut churn by 12% [cite:doc-a#0] Thank you! Reply STOP to opt out"
VARIANTS = [Variant(channel="email", subject="An idea for your team", body=EMAIL), Variant(channel="sms", body=SMS)]


def test_the_footer_and_the_opt_out_are_the_fixed_part_and_the_body_rebuilds_exactly() -> None:
    email, sms = split_fixed(EMAIL), split_fixed(SMS)
    assert email.fixed == FOOTER and FOOTER not in email.editable and email.body() == EMAIL
    assert sms.fixed == "Reply STOP to opt out" and sms.editable.endswith("Thank you!") and sms.body() == SMS
    assert email.body("Hello,\n\nNew text [cite:doc-a#0]") == f"Hello,\n\nNew text [cite:doc-a#0]\n\n{FOOTER}"


def test_citations_are_numbered_chips_that_turn_back_into_marks() -> None:
    order: list[str] = []
    chipped = to_chips("A [cite:doc-a#0]. B [cite:doc-b#2]. C [cite:doc-a#0].", order)
    assert chipped == "A [1]. B [2]. C [1]." and order == ["doc-a#0", "doc-b#2"]
    assert from_chips("B [2] moved, A [1], and [7] is not a source", order) == (
        "B [cite:doc-b#2] moved, A [cite:doc-a#0], and [7] is not a source"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Make the email shorter", EditRequest(kind="shorter", channel="email")),
        ("more formal please", EditRequest(kind="formal")),
        ("drop the SMS", EditRequest(kind="drop", channel="sms")),
        ("Change the subject to “Your Q3 plan”", EditRequest(kind="subject", channel="email", value="Your Q3 plan")),
        ("How are you today?", None),
    ],
)
def test_follow_ups_parse_into_edit_requests(text: str, expected: EditRequest | None) -> None:
    assert parse_request(text) == expected


def test_shorter_keeps_greeting_citation_call_to_action_sign_off_and_footer() -> None:
    email, sms = apply_request(VARIANTS, EditRequest(kind="shorter", channel="email"))
    assert sms == VARIANTS[1]
    assert len(email.body) < len(EMAIL)
    assert email.body == (
        "Hi there,\n\nTeams cut churn by 12% [cite:doc-a#0]\n\nWant to see how it could work for your team?\n\n"
        f"Thank you,\nThe Acme team\n\n{FOOTER}"
    )


def test_formal_drop_and_subject_requests() -> None:
    formal = apply_request(VARIANTS, EditRequest(kind="formal"))
    assert formal[0].body.startswith("Hello,") and "Would you like to see" in formal[0].body
    assert formal[1].body == "Acme: Teams cut churn by 12% [cite:doc-a#0] Thank you. Reply STOP to opt out"
    assert [v.channel for v in apply_request(VARIANTS, EditRequest(kind="drop", channel="sms"))] == ["email"]
    renamed = apply_request(VARIANTS, EditRequest(kind="subject", channel="email", value="Your Q3 plan"))
    assert renamed[0].subject == "Your Q3 plan" and renamed[0].body == EMAIL


def test_requests_that_cannot_apply_say_why() -> None:
    with pytest.raises(EditRequestError, match="no push copy"):
        apply_request(VARIANTS, EditRequest(kind="shorter", channel="push"))
    with pytest.raises(EditRequestError, match="without copy"):
        apply_request(VARIANTS[:1], EditRequest(kind="drop", channel="email"))
