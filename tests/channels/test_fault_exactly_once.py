"""Fault test: 2,000 actions, a receiver failing every fifth request, the dispatcher process killed twice.

The receiver must apply every idempotency key exactly once and the outbox must end with nothing lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from hyperjourney.channels import outbox
from hyperjourney.channels.models import Message, OutboundAction
from hyperjourney.db.database import Database
from tests.actions_fixtures import Receiver, add_customers

N = 2000


def start_dispatcher(tenant: str, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HYPERJOURNEY_CHANNELS__WEBHOOK_URL": url,
        "HYPERJOURNEY_CHANNELS__LEASE_S": "2",
        "HYPERJOURNEY_CHANNELS__BACKOFF_BASE_S": "0.02",
        "HYPERJOURNEY_CHANNELS__BACKOFF_MAX_S": "0.2",
        "HYPERJOURNEY_CHANNELS__MAX_ATTEMPTS": "20",  # kills and 500s must not dead-letter a key
        "HYPERJOURNEY_CHANNELS__WORKERS": "6",
    }
    cmd = [sys.executable, "-c", "from hyperjourney.cli.main import app; app()", "outbox", "dispatch", "-t", tenant]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(cond: Callable[[], bool], limit_s: float = 120) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_each_key_applied_exactly_once_through_two_crashes(db: Database, tenant: str) -> None:
    customers = [f"c{i:03d}" for i in range(200)]
    add_customers(db, tenant, customers)
    with db.tenant(tenant) as conn:
        for i in range(N):
            cid = customers[i % len(customers)]
            msg = Message(to=cid, body=f"update {i}", why="your account manager asked us to sync this")
            outbox.enqueue(
                conn, OutboundAction(idempotency_key=f"fault-{i}", customer_id=cid, channel="webhook", message=msg)
            )
    kills = 0
    with Receiver(fail_every=5) as rx:
        for threshold in (N // 5, N // 2):
            proc = start_dispatcher(tenant, rx.url)
            wait_for(lambda t=threshold, p=proc: len(rx.applied) >= t or p.poll() is not None)  # type: ignore[misc]
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        proc = start_dispatcher(tenant, rx.url)
        assert proc.wait(timeout=120) == 0
    assert kills == 2
    assert len(rx.applied) == N and set(rx.applied.values()) == {1}
    assert rx.requests >= N * 5 // 4  # a fifth failed, so at least this many requests were made
    assert outbox.counts(db, tenant) == {"delivered": N}
