"""Liveness, readiness and errors over real HTTP connections (uvicorn on loopback)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack
from typing import Any

import anyio.to_thread
import httpx
from fastapi import FastAPI

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings
from tests.api.live import serving


def _two_worker_threads(app: FastAPI) -> Any:
    """The app with the server's worker-thread pool cut to 2, so a test can fill it."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        await app(scope, receive, send)

    return wrapped


def test_health_answers_while_every_worker_thread_and_connection_is_busy(
    db: Database, settings: Settings, tenant: str
) -> None:
    """/health once ran on a worker thread: it took 29.9 s while requests were stuck waiting for the pool."""
    app = create_app(db, settings)
    key = {"Authorization": f"Bearer {create_key(db, tenant, 'busy').token}"}
    with serving(_two_worker_threads(app)) as url, ExitStack() as held:
        assert httpx.get(f"{url}/ready").status_code == 200
        for _ in range(db.pool.max_size):  # every pooled connection taken: authentication must wait
            held.enter_context(db.pool.connection())
        stuck = [threading.Thread(target=httpx.get, args=(f"{url}/v1/review",), kwargs={"headers": key, "timeout": 60})]
        stuck.append(
            threading.Thread(target=httpx.get, args=(f"{url}/v1/review",), kwargs={"headers": key, "timeout": 60})
        )
        for t in stuck:
            t.start()
        time.sleep(0.5)  # both worker threads now wait for a connection
        began = time.monotonic()
        health = httpx.get(f"{url}/health", timeout=10)
        took = time.monotonic() - began
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert took < 2.0, took
        held.close()  # give the connections back: the stuck requests finish
        for t in stuck:
            t.join(30)
        not_ready = _ready_with_pool_held(db, url)
        assert not_ready.status_code == 503 and not_ready.headers["content-type"] == "application/problem+json"


def _ready_with_pool_held(db: Database, url: str) -> httpx.Response:
    with ExitStack() as held:
        for _ in range(db.pool.max_size):
            held.enter_context(db.pool.connection())
        return httpx.get(f"{url}/ready", timeout=10)


def test_a_500_leaves_the_keep_alive_connection_usable(db: Database, settings: Settings) -> None:
    """Starlette's catch-all answered and re-raised; uvicorn then closed the connection under the client."""
    app = create_app(db, settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with serving(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            first = _exchange(sock, "/boom")
            second = _exchange(sock, "/health")  # the same connection
        assert first.startswith("HTTP/1.1 500") and "application/problem+json" in first and "RuntimeError" in first
        assert second.startswith("HTTP/1.1 200") and '"status":"ok"' in second
        with httpx.Client(base_url=url) as client:
            assert client.get("/boom").status_code == 500
            assert client.get("/health").status_code == 200


def _exchange(sock: socket.socket, path: str) -> str:
    """One HTTP/1.1 request and its whole response (read by Content-Length) on an open connection."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data.decode(errors="replace")  # the server closed the connection
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode(errors="replace")
