"""Jobs of dead workers back on the queue: a worker killed mid-job (SIGKILL, a lost machine) leaves its jobs
``doing`` for ever, since procrastinate only notices dead workers when a new worker starts, and even then
only unlinks their jobs. The sweep hands each such job back, so another worker runs it again; every job is
safe to run twice (see ``tasks``), so a live worker that merely missed its heartbeats costs a repeat, never
a loss.
"""

from __future__ import annotations

from typing import Any

import psycopg

STALLED = (
    "SELECT j.id FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
    "WHERE j.status = 'doing' AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => %s)) "
    "ORDER BY j.id FOR UPDATE OF j SKIP LOCKED"
)


def retry_stalled(conn: psycopg.Connection[Any], stalled_after_s: float) -> list[int]:
    """Put back to ``todo`` every running job whose worker is gone or silent for ``stalled_after_s``; returns
    their ids. A job locked by another sweep doing the same is left to it."""
    ids = [int(r[0]) for r in conn.execute(STALLED, (stalled_after_s,))]
    for job_id in ids:
        conn.execute("SELECT procrastinate_retry_job_v2(%s, now(), NULL, NULL, NULL)", (job_id,))
    return ids
