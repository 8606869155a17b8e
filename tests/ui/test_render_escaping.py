"""Customer-controlled text is literal in every rendered card: no image, link or tag comes out of it."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from hyperjourney.ui.render import copilot_markdown, launch_markdown, plan_markdown, step_markdown

PIXEL = "![p](http://attacker.test/pixel.png)"
PHISH = "[Reset your password](http://attacker.test/login)"
HOSTILE = f"{PIXEL} {PHISH} <img src=http://attacker.test/x.png> www.attacker.test ana@attacker.test `x` **bold**"
_URL = re.compile(r"(https?://|www\.)\S+|[\w.+-]+@[\w-]+\.\w+", re.IGNORECASE)


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def _visible(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\u2060", "")


def _assert_inert(markdown: str) -> None:
    rendered = _html(markdown)
    assert "<img" not in rendered and "<a " not in rendered and "<code>" not in rendered, rendered
    assert "<strong>bold" not in rendered
    links = [m.group(0) for m in _URL.finditer(html.unescape(re.sub(r"<[^>]+>", "", rendered)))]
    assert links == [], f"GFM would autolink {links}"
    assert HOSTILE.replace("`", "") in _visible(rendered).replace("`", ""), "the text must still read as typed"


def test_md_keeps_the_text_and_drops_every_construct() -> None:
    from hyperjourney.ui.render import md

    _assert_inert(md(HOSTILE))
    assert _visible(_html(md("1. not a list\n# not a heading"))).strip() == "1. not a list\n# not a heading"


def test_the_copilot_card_escapes_the_ticket_name_reply_and_reasons() -> None:
    outcome = {
        "ticket": {"ticket_id": "tkt_1", "subject": HOSTILE},
        "sentiment": "negative",
        "intent": "refund",
        "tone": {"formality": 0.5, "warmth": 0.5, "brevity": 0.5},
        "channel": "email",
        "escalate": True,
        "escalation_reasons": [f"injection: {HOSTILE}"],
        "reply": f"Hi {HOSTILE},\n\n- refunds take 5 days [cite:kb-faq#1]",
        "next": HOSTILE,
    }
    order: list[str] = []
    card = copilot_markdown(outcome, [{"node": "tone", "reason": HOSTILE}], order, {"kb-faq#1": "Refunds"})
    _assert_inert(card)
    assert order == ["kb-faq#1"] and "refunds take 5 days [1]" in _visible(_html(card))
    assert _visible(_html(card)).count(HOSTILE) >= 5


def test_plan_step_and_launch_cards_escape_generated_and_typed_text() -> None:
    approval = {
        "plan": {"name": HOSTILE, "trigger": HOSTILE, "steps": [{"channel": "email", "variant": "v1"}]},
        "variants": [{"channel": "email", "subject": HOSTILE, "body": f"{HOSTILE} [cite:kb-cs#0]"}],
        "review": [HOSTILE],
        "edit_problems": [HOSTILE],
        "policy": [{"channel": "1:email", "allowed": 3, "checked": 4, "rules": [HOSTILE]}],
    }
    results = {"analyst": {"segment": HOSTILE, "reasons": [HOSTILE], "sizing": {"lift_low": 0.1, "lift_high": 0.2}}}
    _assert_inert(plan_markdown(approval, results, [], {"kb-cs#0": HOSTILE}))
    _assert_inert(step_markdown({"reason": HOSTILE, "review_reason": HOSTILE, "outputs": {"goal": HOSTILE}}))
    _assert_inert(launch_markdown({"launch": {"launched": True, "journey_id": HOSTILE}, "next": HOSTILE}))
