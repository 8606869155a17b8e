"""A worker killed mid-job leaves its job ``doing``; the sweep hands it back once the worker's heartbeat is
stale, and a live worker runs it. The dead worker is a real process (a bare procrastinate worker, so it starts
in a second instead of importing the whole package), SIGKILLed while its job runs."""

from __future__ import annotations

import subprocess
import sys
import uuid

from procrastinate import PsycopgConnector
from psycopg.types.json import Jsonb

from hyperjourney.db.database import Database
from hyperjourney.settings import Settings
from hyperjourney.workers.stalled import retry_stalled
from hyperjourney.workers.tasks import TICK, WorkerEnv, build_app

HANGING_WORKER = """
import sys, time
from procrastinate import App, PsycopgConnector
app = App(connector=PsycopgConnector(conninfo=sys.argv[1]))
@app.task(name=sys.argv[3], queue=sys.argv[2])
def hang(**kwargs):
    print("started", flush=True)
    time.sleep(600)
app.run_worker(queues=[sys.argv[2]], concurrency=1, fetch_job_polling_interval=0.2, install_signal_handlers=False)
"""


def defer(db: Database, queue: str, task: str, args: dict[str, object]) -> int:
    with db.admin() as conn:
        row = conn.execute(
            "SELECT (procrastinate_defer_jobs_v1(ARRAY[ROW(%s, %s, 0, NULL, NULL, %s, NULL)"
            "::procrastinate_job_to_defer_v1]))[1]",
            (queue, task, Jsonb(args)),
        ).fetchone()
    assert row is not None
    return int(row[0])


def job(db: Database, job_id: int) -> tuple[str, int]:
    with db.admin() as conn:
        row = conn.execute("SELECT status, attempts FROM procrastinate_jobs WHERE id = %s", (job_id,)).fetchone()
    assert row is not None
    return str(row[0]), int(row[1])


def test_the_sweep_retries_the_job_of_a_killed_worker(db: Database, settings: Settings, tenant: str) -> None:
    queue = f"stalled-{uuid.uuid4().hex[:8]}"
    tick = defer(db, queue, TICK, {"tenant": tenant})
    dead = subprocess.Popen(
        [sys.executable, "-c", HANGING_WORKER, db.app_url, queue, TICK], stdout=subprocess.PIPE, text=True
    )
    try:
        assert dead.stdout is not None and dead.stdout.readline().strip() == "started"
    finally:
        dead.kill()
        dead.wait(10)
    assert job(db, tick) == ("doing", 0)
    with db.admin() as conn:  # its heartbeat is fresh: it may be a live worker on a long job
        assert retry_stalled(conn, settings.workers.stalled_after_s) == []
        conn.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute' "
            "WHERE id = (SELECT worker_id FROM procrastinate_jobs WHERE id = %s)",
            (tick,),
        )  # a minute passes without a heartbeat
    sweep = defer(db, queue, "hyperjourney.schedule_sweep", {"timestamp": 0})
    app = build_app(settings, PsycopgConnector(conninfo=db.app_url))
    app.run_worker(
        queues=[queue],
        wait=False,
        concurrency=1,
        additional_context={"env": WorkerEnv.build(db, settings)},
        install_signal_handlers=False,
    )
    assert job(db, sweep)[0] == "succeeded"
    assert job(db, tick) == ("succeeded", 2)  # two attempts: the killed one, and the live worker's
