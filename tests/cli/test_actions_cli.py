"""`outbox` and `journeys` commands through typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hyperjourney.channels import outbox
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.db.database import Database
from hyperjourney.settings import get_settings
from tests.actions_fixtures import T0, add_customers, add_event
from tests.cli_runner import invoke


def test_outbox_list_dispatch_cancel(
    db: Database, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = tmp_path / "sink.jsonl"
    monkeypatch.setenv("HYPERJOURNEY_CHANNELS__SINK_PATH", str(sink))
    get_settings.cache_clear()
    add_customers(db, tenant, ["c1"], marketing=("email",))
    with db.tenant(tenant) as conn:
        ids = [
            outbox.enqueue(conn, OutboundAction(idempotency_key=k, customer_id="c1", channel="email",
                                                message=Message(to="c1@x.io", body="hi", why="testing")))[0]
            for k in ("k1", "k2")
        ]  # fmt: skip
    try:
        code, out = invoke("outbox", "cancel", str(ids[1]), "-t", tenant, "--reason", "not needed")
        assert code == 0 and "cancelled" in out
        code, out = invoke("outbox", "dispatch", "-t", tenant)
        assert code == 0 and "delivered 1" in out
        assert [json.loads(x)["idempotency_key"] for x in sink.read_text().splitlines()] == ["k1"]
        code, out = invoke("outbox", "list", "-t", tenant)
        assert code == 0 and "delivered 1" in out and "cancelled 1" in out
        code, out = invoke("outbox", "cancel", "99999", "-t", tenant)
        assert code == 1 and "no outbox action 99999" in out
        code, out = invoke("outbox", "list", "-t", tenant, "--status", "bogus")
        assert code == 2 and "--status must be one of" in out
    finally:
        get_settings.cache_clear()


def test_journeys_validate_reports_reasons(tmp_path: Path) -> None:
    bad = tmp_path / "loop.yaml"
    bad.write_text(
        "id: loop\nname: loop\ntrigger: {event: signup}\nstart: a\ngoal: {event: upgrade}\nsteps:\n"
        "  - {id: a, type: wait, hours: 1, next: b}\n  - {id: b, type: wait, hours: 1, next: a}\n"
    )
    code, out = invoke("journeys", "validate", str(bad))
    assert code == 1 and "cycle: a -> b -> a" in out and "journey has no exit step" in out
    good = Path("hyperjourney/journeys/examples/cart_abandon.yaml")
    code, out = invoke("journeys", "validate", str(good))
    assert code == 0 and "ok (cart-abandon" in out


def test_journeys_launch_run_list(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"])
    code, out = invoke("journeys", "launch", "--example", "cart-abandon", "-t", tenant)
    assert code == 0 and "journey cart-abandon v1 is live" in out
    add_event(db, tenant, "e1", "c1", "added_to_cart", T0, cart_id="k")
    code, out = invoke("journeys", "run", "-t", tenant, "--now", "2026-03-01T09:30:00+00:00")
    assert code == 0 and "events 1, enrolled" in out
    code, out = invoke("journeys", "list", "-t", tenant)
    assert code == 0 and "cart-abandon" in out and "b2b-pricing-intent" in out
    code, out = invoke("journeys", "launch", "-t", tenant)
    assert code == 2 and "give either FILE or --example" in out
