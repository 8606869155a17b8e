"""Small tenants for the acting-and-learning tests: customers with chosen consents, and a local receiver."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hyperjourney.db.database import Database

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def add_customers(
    db: Database,
    tenant: str,
    ids: list[str],
    *,
    marketing: tuple[str, ...] = ("email", "sms", "push"),
    withdrawn: tuple[str, ...] = (),
    **columns: Any,
) -> None:
    """Customers with granted marketing consent on ``marketing`` channels, then withdrawn on ``withdrawn``."""
    cols = ["customer_id", "created_at", *columns]
    with db.tenant(tenant) as conn, conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO customers (tenant_id, {', '.join(cols)}) "
            f"VALUES (current_tenant(), {', '.join(['%s'] * len(cols))})",
            [(cid, T0, *columns.values()) for cid in ids],
        )
        rows = [(cid, ch, "granted", T0) for cid in ids for ch in marketing]
        rows += [(cid, ch, "withdrawn", T0.replace(day=2)) for cid in ids for ch in withdrawn]
        cur.executemany(
            "INSERT INTO consents (tenant_id, customer_id, channel, purpose, status, source, captured_at) "
            "VALUES (current_tenant(), %s, %s, 'marketing', %s, 'test', %s)",
            rows,
        )


class Receiver:
    """A local HTTP receiver with idempotency: applies each key once, fails every ``fail_every``-th request
    with a 500 and sleeps ``slow_s`` on every ``slow_every``-th one (longer than the client's timeout)."""

    def __init__(self, *, fail_every: int = 0, slow_every: int = 0, slow_s: float = 0.0) -> None:
        self.applied: Counter[str] = Counter()
        self.requests = 0
        self.duplicates = 0
        self.deleted: list[str] = []
        self.bodies: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, code: int) -> None:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.requests += 1
                    n = receiver.requests
                if fail_every and n % fail_every == 0:
                    return self._reply(500)
                if slow_every and n % slow_every == 0:
                    time.sleep(slow_s)
                with receiver.lock:
                    if receiver.applied[key]:
                        receiver.duplicates += 1
                        return self._reply(409)
                    receiver.applied[key] += 1
                    receiver.bodies[key] = json.loads(body)
                self._reply(200)

            def do_DELETE(self) -> None:
                with receiver.lock:
                    receiver.deleted.append(self.headers.get("Idempotency-Key", ""))
                self._reply(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def add_event(db: Database, tenant: str, event_id: str, customer: str, type_: str, ts: datetime, **props: Any) -> None:
    with db.tenant(tenant) as conn:
        conn.execute(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, properties) "
            "VALUES (current_tenant(), %s, %s, %s, %s, %s)",
            (event_id, customer, type_, ts, json.dumps(props)),
        )


def add_events(db: Database, tenant: str, rows: list[tuple[str, str, str, datetime, dict[str, Any]]]) -> None:
    """Many (event_id, customer, type, ts, properties) in one transaction."""
    with db.tenant(tenant) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, properties) "
            "VALUES (current_tenant(), %s, %s, %s, %s, %s)",
            [(e, c, t, ts, json.dumps(p)) for e, c, t, ts, p in rows],
        )
