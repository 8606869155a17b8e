"""The plan card's audience block (pure rendering, no server)."""

from __future__ import annotations

from hyperjourney.ui import render


def test_the_plan_card_names_the_filters_and_what_was_not_applied() -> None:
    """A condition the goal stated that no filter applies is on the card the approver reads (issue 15.5)."""
    researcher = {
        "filters": ["business is dtc", "ordered before, but not in the last 90 days"],
        "not_applied": [{"phrase": "who left a one-star review", "reason": "no filter reads reviews"}],
    }
    text = render.audience_markdown(researcher)
    assert "**Filters**: business is dtc; ordered before, but not in the last 90 days" in text
    assert "**Not applied** ⚠ who left a one\\-star review (no filter reads reviews)" in text
    assert render.audience_markdown({"filters": [], "not_applied": []}) == ""
