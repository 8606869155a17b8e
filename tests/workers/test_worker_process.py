"""Real worker processes against the test database: an event posted to the API reaches the SMTP server with no
other command, and when the worker sending it is killed (SIGKILL) mid-send, the other sends it exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import JourneyDefinition
from hyperjourney.journeys.runner import JourneyRunner
from hyperjourney.settings import ApiSettings, Settings
from tests.actions_fixtures import T0, add_customers
from tests.channels.test_outbox_dispatch import free_port

WELCOME = {
    "id": "welcome",
    "name": "Welcome",
    "trigger": {"event": "signed_up"},
    "start": "hello",
    "steps": [
        {"type": "action", "id": "hello", "channel": "email", "why": "you just signed up", "next": "done",
         "variants": [{"name": "a", "subject": "Welcome", "body": "Glad to have you."}]},
        {"type": "exit", "id": "done", "reason": "welcomed"},
    ],
    "goal": {"event": "upgrade", "within_hours": 24},
    "holdout_share": 0,
}  # fmt: skip


class HoldFirstInbox:
    """For ``to``: keeps the first message's DATA unanswered until released, then refuses it (451), and
    accepts the rest. Mail to anyone else (other tests' tenants: the workers serve them all) is dropped."""

    def __init__(self) -> None:
        self.to = ""
        self.accepted: list[Any] = []
        self.first_arrived = threading.Event()
        self.release = asyncio.Event()
        self._seen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos != [self.to]:
            return "250 OK"
        self._seen += 1
        if self._seen == 1:
            self.first_arrived.set()
            await self.release.wait()
            return "451 not accepted"
        self.accepted.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[HoldFirstInbox, Controller]]:
    inbox = HoldFirstInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller
    finally:
        controller.loop.call_soon_threadsafe(inbox.release.set)
        controller.stop()


def start_worker(db: Database, smtp_port: int, home: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HYPERJOURNEY_HOME": str(home),
        "HYPERJOURNEY_DATABASE_URL": db.admin_url,
        "HYPERJOURNEY_APP_DATABASE_URL": db.app_url,
        "HYPERJOURNEY_CHANNELS__SMTP_HOST": "127.0.0.1",
        "HYPERJOURNEY_CHANNELS__SMTP_PORT": str(smtp_port),
        "HYPERJOURNEY_CHANNELS__LEASE_S": "2",
        "HYPERJOURNEY_WORKERS__SWEEP_CRON": "* * * * * *",
        "HYPERJOURNEY_WORKERS__POLL_S": "0.5",
    }
    return subprocess.Popen([sys.executable, "-m", "hyperjourney.cli", "worker"], env=env)


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def outbox_row(db: Database, tenant: str) -> tuple[str, int] | None:
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT status, attempts FROM outbox").fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def test_posted_event_is_emailed_once_by_workers_despite_a_kill(
    db: Database, settings: Settings, tenant: str, smtp: tuple[HoldFirstInbox, Controller], tmp_path: Path
) -> None:
    inbox, controller = smtp
    inbox.to = f"c1@{tenant}.example.com"
    add_customers(db, tenant, ["c1"])
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO identities (tenant_id, customer_id, kind, value, raw_value) "
            "VALUES (current_tenant(), 'c1', 'email', %s, %s)",
            (inbox.to, inbox.to),
        )
        store.save(conn, JourneyDefinition.model_validate(WELCOME), actor="test")
        JourneyRunner(db, tenant).start_cursor_here(conn)
    workers = {w.pid: w for w in (start_worker(db, controller.port, tmp_path) for _ in range(2))}
    try:
        app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=1000)}))
        key = create_key(db, tenant, "test", "reviewer").token
        with TestClient(app) as client:
            posted = client.post(
                "/v1/events",
                headers={"Authorization": f"Bearer {key}"},
                json={"events": [{"event_id": "e1", "customer_id": "c1", "type": "signed_up", "ts": T0.isoformat()}]},
            )
        assert posted.status_code == 200, posted.text
        assert inbox.first_arrived.wait(180), "no worker sent the welcome email"
        assert outbox_row(db, tenant) == ("sending", 1)
        with db.tenant(tenant) as conn:
            claimed_by = conn.execute("SELECT claimed_by FROM outbox").fetchone()
        assert claimed_by is not None
        sender = workers.pop(int(claimed_by[0].rsplit(":", 1)[1]))
        sender.send_signal(signal.SIGKILL)  # mid-send: the SMTP server has the DATA and has not answered
        sender.wait(10)
        controller.loop.call_soon_threadsafe(inbox.release.set)
        wait_for(lambda: outbox_row(db, tenant) == ("delivered", 2), "the other worker to deliver")
    finally:
        for proc in workers.values():
            proc.terminate()
            proc.wait(30)
    assert [m.rcpt_tos for m in inbox.accepted] == [[inbox.to]]
    assert b"Glad to have you." in inbox.accepted[0].original_content
