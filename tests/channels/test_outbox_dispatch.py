"""Outbox + dispatcher against real receivers: SMTP (aiosmtpd), HTTP with 500s and timeouts, the file sink."""

from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hyperjourney.channels import outbox
from hyperjourney.channels.adapters import FileSinkAdapter, SmtpAdapter, WebhookAdapter
from hyperjourney.channels.dispatcher import Dispatcher, backoff_seconds
from hyperjourney.channels.models import Delivery, Message, OutboundAction
from hyperjourney.db.database import Database
from hyperjourney.settings import ChannelSettings
from tests.actions_fixtures import Receiver, add_customers

FAST = ChannelSettings(backoff_base_s=0.01, backoff_max_s=0.05, timeout_s=0.3, lease_s=5, workers=4)


def action(key: str, customer: str = "c1", channel: str = "webhook", **kw: Any) -> OutboundAction:
    msg = Message(
        to=f"{customer}@example.com",
        subject="Your cart",
        body="Still thinking it over?",
        why="you left running shoes in your cart yesterday",
    )
    return OutboundAction(
        idempotency_key=key,
        customer_id=customer,
        channel=channel,
        message=msg,  # type: ignore[arg-type]
        rationale={"reasons": ["cart abandoned"]},
        evidence=["faq#2"],
        **kw,
    )


def enqueue_all(db: Database, tenant: str, actions: list[OutboundAction]) -> list[int]:
    with db.tenant(tenant) as conn:
        return [outbox.enqueue(conn, a)[0] for a in actions]


def statuses(db: Database, tenant: str) -> dict[str, str]:
    with db.tenant(tenant) as conn:
        return dict(conn.execute("SELECT idempotency_key, status FROM outbox").fetchall())


def test_enqueue_is_idempotent_and_audited(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"])
    with db.tenant(tenant) as conn:
        first = outbox.enqueue(conn, action("k1"))
        again = outbox.enqueue(conn, action("k1"))
        n_audit = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'outbox_enqueue'").fetchone()
    assert first[1] is True and again == (first[0], False)
    assert n_audit == (1,)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def test_smtp_delivery_carries_why_line_and_key(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1", "c2"], marketing=("email",), withdrawn=())
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = FAST.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        enqueue_all(db, tenant, [action("mail-1", "c1", "email"), action("mail-2", "c2", "email")])
        stats = Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    finally:
        controller.stop()
    assert stats.delivered == 2
    text = inbox.messages[0].content.decode()
    assert "Why you got this: you left running shoes in your cart yesterday" in text
    assert "Message-ID: <hj." in text
    assert statuses(db, tenant) == {"mail-1": "delivered", "mail-2": "delivered"}
    with db.tenant(tenant) as conn:
        sends = conn.execute("SELECT payload FROM audit_log WHERE action = 'channel_send'").fetchall()
        contacts = conn.execute("SELECT count(*) FROM contact_log WHERE channel = 'email'").fetchone()
    assert len(sends) == 2 and sends[0][0]["rationale"]["evidence"] == ["faq#2"]
    assert contacts == (2,)  # the policy's caps count these sends


# RFC 5322 msg-id: "<" dot-atom-text "@" dot-atom-text ">"
MSG_ID = re.compile(
    r"^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>$"
)


def test_each_email_has_its_own_valid_message_id_kept_on_retry(db: Database, tenant: str) -> None:
    """Journey keys hold ':'; the header once read `<journey` for every email, so receivers dropped all but one."""
    add_customers(db, tenant, ["c1", "c2"], marketing=("email",), withdrawn=())
    keys = ["journey:canvas-ab12:v1:24:send_0:c1", "journey:canvas-ab12:v1:24:send_0:c2"]
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = FAST.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        enqueue_all(db, tenant, [action(keys[0], "c1", "email"), action(keys[1], "c2", "email")])
        stats = Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    finally:
        controller.stop()
    assert stats.delivered == 2
    received = [email.message_from_bytes(m.content, policy=email.policy.default) for m in inbox.messages]
    ids = {m["X-Idempotency-Key"]: str(m["Message-ID"]) for m in received}
    assert set(ids) == set(keys)
    assert all(MSG_ID.match(i) for i in ids.values()), ids
    assert len(set(ids.values())) == 2
    assert SmtpAdapter(cfg).render(delivery(keys[0]))["Message-ID"] == ids[keys[0]]  # a retry keeps the id


def delivery(key: str) -> Delivery:
    message = Message(to="c1@example.com", subject="Your cart", body="again")
    return Delivery(
        action_id=1,
        idempotency_key=key,
        customer_id="c1",
        channel="email",
        purpose="marketing",
        message=message,
        attempts=2,
        max_attempts=5,
    )


def test_dry_run_sink_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text("")
    old.chmod(0o644)  # a sink left by an older version
    FileSinkAdapter(old, "email").send(delivery("k1"))
    new = tmp_path / "new" / "sink.jsonl"
    FileSinkAdapter(new, "email").send(delivery("k2"))
    for path in (old, new):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert json.loads(new.read_text())["to"] == "c1@example.com"


def test_smtp_down_retries_then_dead_letters(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"], marketing=("email",))
    cfg = FAST.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9})  # nothing listens on discard
    enqueue_all(db, tenant, [action("dead-1", "c1", "email", max_attempts=3)])
    stats = Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    assert (stats.retried, stats.dead) == (2, 1)
    row = outbox.list_actions(db, tenant)[0]
    assert row.status == "dead" and row.attempts == 3 and "SMTP unavailable" in (row.last_error or "")


def test_attempt_limit_follows_the_setting_unless_the_action_sets_its_own(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"], marketing=("email",))
    cfg = FAST.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9, "max_attempts": 2})
    enqueue_all(db, tenant, [action("default-1", "c1", "email"), action("own-4", "c1", "email", max_attempts=4)])
    Dispatcher(db, tenant, {"email": SmtpAdapter(cfg)}, cfg).run()
    rows = {r.idempotency_key: r for r in outbox.list_actions(db, tenant)}
    assert rows["default-1"].status == "dead" and rows["default-1"].attempts == 2
    assert rows["own-4"].status == "dead" and rows["own-4"].attempts == 4


def test_webhook_survives_500s_and_timeouts(db: Database, tenant: str) -> None:
    ids = [f"c{i}" for i in range(20)]
    add_customers(db, tenant, ids)
    with Receiver(fail_every=3, slow_every=7, slow_s=0.6) as rx:
        cfg = FAST
        adapter = WebhookAdapter(rx.url, "webhook", cfg)
        enqueue_all(db, tenant, [action(f"w-{i}", cid) for i, cid in enumerate(ids)])
        stats = Dispatcher(db, tenant, {"webhook": adapter}, cfg).run()
    assert stats.delivered == 20 and stats.retried > 0 and stats.dead == 0
    assert set(rx.applied) == {f"w-{i}" for i in range(20)}
    assert all(n == 1 for n in rx.applied.values())
    assert rx.bodies["w-0"]["why"].startswith("Why you got this:")


def test_webhook_4xx_is_dead_at_once(db: Database, tenant: str) -> None:
    add_customers(db, tenant, ["c1"])
    adapter = WebhookAdapter("http://127.0.0.1:9/none", "webhook", FAST)
    enqueue_all(db, tenant, [action("x", "c1")])
    with Receiver() as rx:
        adapter.url = rx.url.replace("/hook", "/hook")
        rx.server.RequestHandlerClass.do_POST = lambda self: self._reply(422)  # type: ignore[attr-defined]
        stats = Dispatcher(db, tenant, {"webhook": adapter}, FAST).run()
    assert (stats.dead, stats.retried) == (1, 0)


def test_consent_rechecked_at_dispatch(db: Database, tenant: str, tmp_path: Path) -> None:
    add_customers(db, tenant, ["ok"], marketing=("email",))
    add_customers(db, tenant, ["gone"], marketing=("email",), withdrawn=("email",))
    add_customers(db, tenant, ["never"], marketing=())
    sink = FileSinkAdapter(tmp_path / "sink.jsonl", "email")
    enqueue_all(
        db,
        tenant,
        [
            action("a", "ok", "email"),
            action("b", "gone", "email"),
            action("c", "never", "email"),
            action("d", "never", "email", purpose="transactional"),
        ],
    )
    stats = Dispatcher(db, tenant, {"email": sink}, FAST).run()
    assert (stats.delivered, stats.refused) == (2, 2)
    assert statuses(db, tenant) == {"a": "delivered", "b": "refused", "c": "refused", "d": "delivered"}
    sent = [json.loads(line)["idempotency_key"] for line in (tmp_path / "sink.jsonl").read_text().splitlines()]
    assert sorted(sent) == ["a", "d"]
    with db.tenant(tenant) as conn:
        reasons = [r[0]["reason"] for r in conn.execute("SELECT payload FROM audit_log WHERE action='outbox_refused'")]
    assert sorted(reasons) == ["marketing consent on email withdrawn", "no marketing consent on email"]


def test_cancel_pending_and_rollback_where_channel_allows(db: Database, tenant: str, tmp_path: Path) -> None:
    add_customers(db, tenant, ["c1"])
    with Receiver() as rx:
        adapters = {
            "webhook": WebhookAdapter(rx.url, "webhook", FAST),
            "email": SmtpAdapter(FAST.model_copy(update={"smtp_host": "127.0.0.1"})),
        }
        ids = enqueue_all(db, tenant, [action("keep", "c1"), action("drop", "c1")])
        assert outbox.cancel(db, tenant, ids[1], adapters, actor="tester", reason="wrong segment") == "cancelled"
        Dispatcher(db, tenant, adapters, FAST).run()
        assert set(rx.applied) == {"keep"}
        assert outbox.cancel(db, tenant, ids[0], adapters, actor="tester") == "rolled_back"
        assert rx.deleted == ["keep"]
    with pytest.raises(outbox.CancelError, match="cancelled; nothing to cancel"):
        outbox.cancel(db, tenant, ids[1], adapters, actor="tester")
    with db.tenant(tenant) as conn:
        conn.execute("UPDATE outbox SET status = 'delivered', channel = 'email' WHERE action_id = %s", (ids[1],))
    with pytest.raises(outbox.CancelError, match="email cannot be recalled"):
        outbox.cancel(db, tenant, ids[1], adapters, actor="tester")


def test_backoff_grows_exponentially_and_caps() -> None:
    cfg = ChannelSettings(backoff_base_s=1, backoff_max_s=30)
    delays = [backoff_seconds(n, cfg) for n in range(1, 8)]
    assert 0.5 <= delays[0] <= 1 and 4 <= delays[3] <= 8 and all(d <= 30 for d in delays)
