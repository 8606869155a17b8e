"""How long an audited write waits behind a long launch, with chaining at commit and (baseline, same run) with
the chain lock taken at the launch's first audited write and held to its commit (the old trigger's behaviour,
reproduced by making the deferred link trigger immediate in the launch's transaction)."""

from __future__ import annotations

import threading
import time

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.data import audit
from hyperjourney.db.database import Database

LAUNCH_ROWS = 500
LAUNCH_OPEN_S = 3.0


def _writer_wait_ms(db: Database, *, lock_at_first_write: bool) -> tuple[float, float]:
    """(ms the other writer waited, ms the launch's commit took)."""
    wrote = threading.Event()
    commit_ms: list[float] = []

    def launch() -> None:
        with db.tenant("bench") as conn:
            if lock_at_first_write:
                conn.execute("SET CONSTRAINTS audit_link IMMEDIATE")
            for i in range(LAUNCH_ROWS):
                audit.append(conn, actor="bench", action="journey_enroll", entity=f"enrollment:{i}")
            wrote.set()
            time.sleep(LAUNCH_OPEN_S)
            started = time.perf_counter()
        commit_ms.append((time.perf_counter() - started) * 1000)

    thread = threading.Thread(target=launch)
    thread.start()
    wrote.wait()
    with stopwatch() as waited, db.tenant("bench") as conn:
        audit.append(conn, actor="bench", action="ingest")
    waited_ms = waited() * 1000
    thread.join()
    return waited_ms, commit_ms[0]


def run() -> list[Figure]:
    with scratch_database() as db:
        assert isinstance(db, Database)
        db.create_tenant("bench")
        _writer_wait_ms(db, lock_at_first_write=False)  # warm the pool
        waited, commit = _writer_wait_ms(db, lock_at_first_write=False)
        held, _ = _writer_wait_ms(db, lock_at_first_write=True)
        with db.tenant("bench") as conn:
            intact = audit.verify(conn).ok
    return [
        Figure(
            f"audited write behind a launch held open {LAUNCH_OPEN_S:.0f} s ({LAUNCH_ROWS} audited rows)",
            waited,
            "ms",
            "< 1000 ms",
            baseline=held,
            higher_is_better=False,
            meets_target=waited < 1000 and intact,
        ),
        Figure(f"launch commit linking {LAUNCH_ROWS} audit rows (chain lock held)", commit, "ms", "",
               higher_is_better=False),
    ]  # fmt: skip
