"""Policy "review" outcomes reach the review queue: journeys and next-best actions hold the action in the
outbox with one review item each (rules fired, preview); approval releases it to the dispatcher, rejection
cancels it, exactly once and audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hyperjourney.policy as policy_pkg
from hyperjourney.channels import outbox
from hyperjourney.channels.adapters import FileSinkAdapter
from hyperjourney.channels.dispatcher import Dispatcher
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import ActionStep, examples
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.nba.rank import next_best_action
from hyperjourney.policy.store import store_policy
from hyperjourney.review import queue
from hyperjourney.review.held import HeldActionError
from hyperjourney.settings import ChannelSettings
from tests.actions_fixtures import T0, add_customers, add_event
from tests.cli_runner import invoke
from tests.journeys.test_runner import H, treatment_ids

FAST = ChannelSettings(backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=0.3, lease_s=5, workers=2)


def _launch_regulated_cart(db: Database, tenant: str) -> JourneyRunner:
    """The cart-abandon example whose reminder email makes a regulated claim (the policy asks for review)."""
    defn = next(d for d in examples() if d.id == "cart-abandon")
    steps = [
        s.model_copy(update={"regulated_claim": True}) if isinstance(s, ActionStep) and s.id == "remind_email" else s
        for s in defn.steps
    ]
    run = JourneyRunner(db, tenant, use_models=False)
    with db.tenant(tenant) as conn:
        store.save(conn, defn.model_copy(update={"steps": steps}), actor="test")
        run.start_cursor_here(conn)
    return run


def _outbox(db: Database, tenant: str) -> dict[str, tuple[int, str]]:
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT customer_id, action_id, status FROM outbox WHERE channel = 'email'").fetchall()
    return {c: (a, s) for c, a, s in rows}


def _audit_count(db: Database, tenant: str, action: str, entity: str) -> int:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = %s AND entity = %s", (action, entity)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_journey_review_actions_are_held_then_released_or_cancelled_once(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    yes, no = treatment_ids(2, prefix="rv")
    add_customers(db, tenant, [yes, no])
    run = _launch_regulated_cart(db, tenant)
    add_event(db, tenant, "e1", yes, "added_to_cart", T0, cart_id="cart-yes")
    add_event(db, tenant, "e2", no, "added_to_cart", T0, cart_id="cart-no")
    run.tick(T0)
    stats = run.tick(T0 + 5 * H)  # the checkout never came: the reminder is due, and the policy wants a person
    assert stats.review == 2 and stats.actions == 0

    held = _outbox(db, tenant)
    assert {c: s for c, (_, s) in held.items()} == {yes: "held", no: "held"}
    items = {i.payload["customer_id"]: i for i in queue.list_pending(db, tenant)}
    assert set(items) == {yes, no}
    for customer, item in items.items():
        assert item.kind == "action" and item.outbox_action_id == held[customer][0]
        assert any(r.startswith("review_regulated_claim") for r in item.reasons)
        assert item.risk == ["regulated_claim"] and item.submitted_by == "journey-runner"
        assert item.preview is not None and item.preview["channel"] == "email" and item.preview["body"]

    sink = tmp_path / "sink.jsonl"
    adapters = {"email": FileSinkAdapter(sink, "email"), "sms": FileSinkAdapter(sink, "sms")}
    assert Dispatcher(db, tenant, adapters, FAST).run().claimed == 0  # held actions are never claimed
    with pytest.raises(outbox.CancelError, match="held for review"):
        outbox.cancel(db, tenant, held[no][0], adapters, actor="ops")

    queue.approve(db, tenant, items[yes].item_id, "ana", note="claim checked with legal")
    queue.reject(db, tenant, items[no].item_id, "ana", reason="claim not substantiated")
    assert {c: s for c, (_, s) in _outbox(db, tenant).items()} == {yes: "pending", no: "cancelled"}
    with pytest.raises(queue.ReviewError, match="already approved"):
        queue.approve(db, tenant, items[yes].item_id, "bo")
    with pytest.raises(queue.ReviewError, match="already rejected"):
        queue.approve(db, tenant, items[no].item_id, "bo")

    stats_d = Dispatcher(db, tenant, adapters, FAST).run()
    assert stats_d.delivered == 1
    sent = [json.loads(line) for line in sink.read_text().splitlines()]
    assert [s["customer_id"] for s in sent] == [yes]
    assert _audit_count(db, tenant, "outbox_released", f"outbox:{held[yes][0]}") == 1
    assert _audit_count(db, tenant, "outbox_cancelled", f"outbox:{held[no][0]}") == 1
    assert _audit_count(db, tenant, "outbox_hold", f"outbox:{held[yes][0]}") == 1

    again = run.tick(T0 + 5 * H)  # a replayed tick holds nothing twice
    assert again.review == 0 and len(queue.list_items(db, tenant)) == 2


def test_an_edit_of_a_held_action_may_only_move_its_send_time(db: Database, tenant: str) -> None:
    (cid,) = treatment_ids(1, prefix="ed")
    add_customers(db, tenant, [cid])
    run = _launch_regulated_cart(db, tenant)
    add_event(db, tenant, "e1", cid, "added_to_cart", T0, cart_id="cart-ed")
    run.tick(T0)
    run.tick(T0 + 5 * H)
    (item,) = queue.list_pending(db, tenant)
    with pytest.raises(queue.ReviewError, match="may change only send_at, not channel"):
        queue.edit(db, tenant, item.item_id, "ana", changes={"channel": "sms"})
    later = T0 + 30 * H
    result = queue.edit(db, tenant, item.item_id, "ana", changes={"send_at": later.isoformat()}, now=later)
    assert result.applied and result.item.status == "approved"
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT status, next_attempt_at FROM outbox WHERE action_id = %s", (item.outbox_action_id,)
        ).fetchone()
    assert row == ("pending", later)
    with db.tenant(tenant) as conn:  # a release that finds the action gone is refused and rolls back
        conn.execute("UPDATE outbox SET status = 'held' WHERE action_id = %s", (item.outbox_action_id,))
        conn.execute("UPDATE outbox SET status = 'cancelled' WHERE action_id = %s", (item.outbox_action_id,))
        from hyperjourney.review.held import release

        with pytest.raises(HeldActionError, match="is cancelled, no longer held"):
            assert item.outbox_action_id is not None
            release(conn, item.outbox_action_id, item.item_id, "bo")


def test_nba_review_choice_is_held_and_released_on_approval(db: Database, tenant: str, tmp_path: Path) -> None:
    policy = (Path(policy_pkg.__file__).parent / "demo_policy.yaml").read_text(encoding="utf-8")
    policy = policy.replace("cost_over: 1000", "cost_over: 50").replace("version: ", "version: costly-", 1)
    store_policy(db, tenant, policy, source="test")
    add_customers(db, tenant, ["acct1"], marketing=("email", "web"), account_id="acc-9", industry="fintech")
    decision = next_best_action(db, tenant, "acct1", None, now=T0, use_models=False)
    assert decision.chosen is not None and decision.chosen.action_id == "human:account_exec"
    assert decision.chosen.policy.needs_review
    assert decision.review_item_id is not None and decision.held_action_id is not None
    item = queue.get(db, tenant, decision.review_item_id)
    assert item.outbox_action_id == decision.held_action_id and item.risk == ["budget_shift"]
    assert any(r.startswith("review_cost") for r in item.reasons) and item.preview is not None

    code, out = invoke("review", "list", "--tenant", tenant)
    assert code == 0 and decision.review_item_id in out and f"outbox {decision.held_action_id}" in out
    code, out = invoke("review", "show", decision.review_item_id, "--tenant", tenant)
    assert code == 0 and f"holds outbox action {decision.held_action_id}" in out and "preview" in out

    sink = tmp_path / "crm.jsonl"
    adapters = {"webhook": FileSinkAdapter(sink, "webhook")}
    assert Dispatcher(db, tenant, adapters, FAST).run().claimed == 0
    code, out = invoke("review", "approve", decision.review_item_id, "-r", "ana", "--tenant", tenant)
    assert code == 0 and f"outbox action {decision.held_action_id} released" in out
    assert Dispatcher(db, tenant, adapters, FAST).run().delivered == 1
    (sent,) = [json.loads(line) for line in sink.read_text().splitlines()]
    assert sent["idempotency_key"] == f"nba:{decision.decision_id}:human:account_exec"
