"""The in-sample marketer copy briefs (copy4's dev set, issue 15): quoted from the KB verbatim, spread over the
three businesses, four languages, every channel and goal kind, with traps that cannot fire on their own facts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hyperjourney.agents.campaign_copy import GOAL_KINDS, goal_kind_of
from hyperjourney.evals import golden

MARKETER = Path(golden.COPY_BRIEFS).with_name("copy_briefs_marketer.yaml")


def test_marketer_briefs_quote_the_kb_and_cover_every_business_language_channel_and_goal_kind() -> None:
    briefs = golden.load_copy_briefs(MARKETER)
    assert len(briefs) >= 20 and len({b.id for b in briefs}) == len(briefs)
    assert Counter(b.business for b in briefs).keys() == {"ledger", "boards", "goods"}
    assert {b.language for b in briefs} == {"en", "de", "es", "fr"}
    assert {b.channel for b in briefs} == {"email", "sms", "in_app", "ad_copy"}
    assert {goal_kind_of(f"{b.goal} {b.offer}") for b in briefs} == set(GOAL_KINDS)
    banned = golden.kb_text("banned-claims")
    for brief in briefs:
        for fact in brief.required_facts:
            text = " ".join(golden.kb_text(fact.source).split())
            assert " ".join(fact.quote.split()) in text, (brief.id, fact.quote)
            assert fact.number is None or golden.number_in(fact.number, text), (brief.id, fact.number)
        for trap in brief.traps:
            assert trap.violated_by(trap.claim) and not any(trap.violated_by(f.quote) for f in brief.required_facts)
            assert trap.source != "banned-claims" or any(re.search(p, banned, re.I) for p in trap.patterns)
