"""Journey definitions: the shipped patterns load; bad ones are rejected on load with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hyperjourney.journeys.definition import JourneyValidationError, examples, load, parse


def base() -> dict[str, Any]:
    return {
        "id": "j1",
        "name": "test",
        "trigger": {"event": "added_to_cart", "entity_key": "cart_id"},
        "start": "send",
        "steps": [
            {"id": "send", "type": "action", "channel": "email", "why": "w", "variants": [{"name": "a", "body": "b"}],
             "next": "wait"},
            {"id": "wait", "type": "wait", "hours": 2, "next": "done"},
            {"id": "done", "type": "exit"},
        ],
        "goal": {"event": "checkout"},
    }  # fmt: skip


def reasons(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(JourneyValidationError) as info:
        parse(raw)
    return info.value.reasons


def test_shipped_patterns_are_valid() -> None:
    ids = {d.id for d in examples()}
    assert ids == {"cart-abandon", "b2b-pricing-intent", "plg-milestone"}
    assert parse(base()).id == "j1"


def test_cycle_is_rejected_with_its_path() -> None:
    raw = base()
    raw["steps"][1]["next"] = "send"
    assert reasons(raw) == ["cycle: send -> wait -> send"]


def test_unknown_event_and_channel_are_named() -> None:
    raw = base()
    raw["trigger"]["event"] = "cart_exploded"
    raw["steps"][0]["channel"] = "fax"
    found = reasons(raw)
    assert "trigger uses unknown event 'cart_exploded'" in found
    assert any(r.startswith("step 'send' uses unknown channel 'fax'") for r in found)


def test_missing_exit_and_dangling_step() -> None:
    raw = base()
    raw["steps"] = raw["steps"][:2]
    found = reasons(raw)
    assert "step 'wait' goes to unknown step 'done'" in found
    assert "journey has no exit step" in found


def test_schema_errors_name_the_field_and_bad_yaml_is_reported(tmp_path: Path) -> None:
    raw = base()
    raw["steps"][1]["hours"] = -1
    assert any(r.startswith("steps.1.wait.hours") for r in reasons(raw))
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(JourneyValidationError, match="not valid YAML"):
        load(bad)


def test_empty_or_missing_body_is_rejected() -> None:
    raw = base()
    raw["steps"][0]["variants"] = [{"name": "a", "body": "  \n"}, {"name": "b", "subject": "hi"}]
    found = reasons(raw)
    assert "steps.0.action.variants.1.body: Field required" in found
    raw["steps"][0]["variants"] = [{"name": "a", "body": "  \n"}]
    assert reasons(raw) == ["step 'send' variant 'a' has an empty body"]


def test_citation_markers_never_reach_a_journey() -> None:
    raw = base()
    raw["steps"][0]["variants"] = [{"name": "a", "subject": "Hi [cite:kb#1]", "body": "Fast close [cite:kb#1]."}]
    subject, body = reasons(raw)
    assert subject.startswith("step 'send' variant 'a' subject contains a citation marker '[cite:': render")
    assert body.startswith("step 'send' variant 'a' body contains a citation marker '[cite:'")
