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


def spawn_workers(db: Database, count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` `hyperjourney worker` processes on this database (the embedded one too: they get its URLs)."""
    env = {**os.environ, "HYPERJOURNEY_DATABASE_URL": db.admin_url, "HYPERJOURNEY_APP_DATABASE_URL": db.app_url}
    return [subprocess.Popen([sys.executable, "-m", "hyperjourney.cli", "worker"], env=env) for _ in range(count)]


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
