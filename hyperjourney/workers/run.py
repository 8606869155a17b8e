"""Running workers: one in this process (`hyperjourney worker`), or N child processes beside the API (`serve`).

A worker listens on the queue's NOTIFY channel (new jobs start at once) and polls as a fallback; jobs run on
``settings.workers.concurrency`` threads. Any number of worker processes, on any number of machines, share
the one Postgres: procrastinate hands each job to exactly one of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime

import httpx
from procrastinate import PsycopgConnector

from hyperjourney.db.database import Database
from hyperjourney.settings import Settings
from hyperjourney.workers.tasks import WorkerEnv, build_app


def run_worker(db: Database, settings: Settings, *, name: str | None = None, concurrency: int | None = None) -> None:
    """Work until SIGINT/SIGTERM (jobs in progress finish first)."""
    threads = concurrency or settings.workers.concurrency
    connector = PsycopgConnector(conninfo=db.app_url, min_size=1, max_size=threads + 2)
    app = build_app(settings, connector)
    app.run_worker(
        name=name or f"{socket.gethostname()}:{os.getpid()}",
        concurrency=threads,
        additional_context={"env": WorkerEnv.build(db, settings)},
        fetch_job_polling_interval=settings.workers.poll_s,
        delete_jobs="successful",
    )


def child_env(db: Database, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment pointed at ``db`` (the embedded one too: children get its URLs)."""
    return {
        **os.environ,
        "HYPERJOURNEY_DATABASE_URL": db.admin_url,
        "HYPERJOURNEY_APP_DATABASE_URL": db.app_url,
        **(extra or {}),
    }


def spawn_workers(
    db: Database, count: int, env: dict[str, str] | None = None, *, quiet: bool = False
) -> list[subprocess.Popen[bytes]]:
    """``count`` `hyperjourney worker` processes on this database; ``env`` adds settings (HYPERJOURNEY_*)."""
    cmd = [sys.executable, "-m", "hyperjourney.cli", "worker"]
    out = subprocess.DEVNULL if quiet else None
    return [subprocess.Popen(cmd, env=child_env(db, env), stdout=out, stderr=out) for _ in range(count)]


def spawn_api(
    db: Database, port: int, *, workers: int, env: dict[str, str] | None = None, quiet: bool = True
) -> subprocess.Popen[bytes]:
    """`hyperjourney serve` on loopback ``port`` with ``workers`` worker processes, on this database."""
    cmd = [sys.executable, "-m", "hyperjourney.cli", "serve", "--port", str(port), "--workers", str(workers)]
    out = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(cmd, env=child_env(db, env), stdout=out, stderr=out)


def stop_workers(workers: list[subprocess.Popen[bytes]], timeout_s: float = 30.0) -> None:
    """SIGTERM (each finishes its jobs in progress), then wait; SIGKILL only what outlives ``timeout_s``."""
    for proc in workers:
        proc.terminate()
    for proc in workers:
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def database_now(db: Database) -> datetime:
    with db.admin() as conn:
        row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return row[0]


def wait_for_workers(db: Database, count: int, since: datetime, timeout_s: float = 300.0) -> None:
    """Block until ``count`` workers registered (or beat) at or after ``since`` (the database's clock)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with db.admin() as conn:
            row = conn.execute("SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat >= %s", (since,))
            found = row.fetchone()
        if found is not None and int(found[0]) >= count:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} worker(s) did not start within {timeout_s:.0f} s")
        time.sleep(0.3)


def wait_for_api(port: int, timeout_s: float = 300.0) -> None:
    """Block until the API on loopback ``port`` answers ``/health``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the API on port {port} did not answer within {timeout_s:.0f} s")
        time.sleep(0.3)
