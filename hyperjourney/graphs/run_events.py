"""Following a run as it happens, from any process.

The process that runs a graph consumes LangGraph's stream (``stream_mode="custom"``): a node writes its step row,
then emits the step on the stream (graphs/recorder.py). The runner turns each streamed step, and the run's pause
or end, into a ``pg_notify`` on one channel, so it reaches every process that follows the run: the API's SSE and
the chainlit UI ``LISTEN`` and read the new rows from ``agent_steps`` (the record, under the tenant's row
security), which also serves late readers and reconnects. One path for runs in this process and runs in a worker.

The notification carries only the tenant, run id and step number (a channel is not tenant-bound). A follower
re-reads the run's status when no notification comes for ``recheck_s``: a process that died, a run moved by
LangGraph's own server, or a cancel sends none.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import psycopg
from pydantic import BaseModel, ValidationError

from hyperjourney.db.database import Database

CHANNEL = "hyperjourney_run_events"
TERMINAL = frozenset({"completed", "rejected", "escalated", "failed", "cancelled"})
PAUSED = "awaiting_approval"


class RunEvent(BaseModel):
    """What one notification says: the run has a new step (``step_no``) or has paused or ended."""

    tenant: str
    run_id: str
    kind: Literal["step", "end"]
    step_no: int | None = None


def publish(db: Database, event: RunEvent) -> None:
    """Notify every follower (delivered when this short transaction commits)."""
    with db.tenant(event.tenant) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, event.model_dump_json()))


def streamed(db: Database, tenant: str, run_id: str, parts: Iterator[Any]) -> None:
    """Consume a graph's LangGraph stream (version v2 parts), publishing each step a node emitted."""
    for part in parts:
        if part["type"] == "custom" and isinstance(data := part["data"], dict) and "step_no" in data:
            publish(db, RunEvent(tenant=tenant, run_id=run_id, kind="step", step_no=int(data["step_no"])))


def steps_after(db: Database, tenant: str, run_id: str, after: int) -> tuple[str | None, list[dict[str, Any]]]:
    """The run's status and its steps numbered above ``after``, in order (status None: no such run)."""
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT status FROM agent_runs WHERE run_id = %s", (run_id,)).fetchone()
        if row is None:
            return None, []
        status = str(row[0])
        rows = conn.execute(
            "SELECT step_no, node, agent, decision, tier, confidence, reason, evidence_ids, outputs, review_reason, "
            "created_at FROM agent_steps WHERE run_id = %s AND step_no > %s ORDER BY step_no",
            (run_id, after),
        ).fetchall()
    keys = ("step_no", "node", "agent", "decision", "tier", "confidence", "reason", "evidence_ids", "outputs")
    steps = [{**dict(zip(keys, r[:9], strict=True)), "review_reason": r[9], "at": r[10].isoformat()} for r in rows]
    return status, steps


@contextmanager
def woken_by_runs(db: Database) -> Iterator[Callable[[float], None]]:
    """A blocking wait that returns at the next event of any run, or after its timeout: for a follower in a
    thread that does not know its run's id yet (a queued run). Listening starts before the first wait."""
    conn = psycopg.connect(db.app_url, autocommit=True)
    try:
        conn.execute(f"LISTEN {CHANNEL}")

        def wait(timeout: float) -> None:
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                pass

        yield wait
    finally:
        conn.close()


async def _news(conn: psycopg.AsyncConnection[Any], tenant: str, run_id: str, timeout: float) -> None:
    """Return on this run's next notification, or after ``timeout`` seconds without one."""
    async for note in conn.notifies(timeout=timeout):
        try:
            event = RunEvent.model_validate_json(note.payload)
        except ValidationError:
            continue
        if event.run_id == run_id and event.tenant == tenant:
            return


async def follow(
    db: Database, tenant: str, run_id: str, after: int, *, recheck_s: float, limit_s: float
) -> AsyncIterator[tuple[Literal["step", "end"], Any]]:
    """``("step", row)`` for each step numbered above ``after`` as it is recorded, then one ``("end", status)``
    when the run pauses for approval or ends (status ``"timeout"`` after ``limit_s``; None: no such run)."""
    conn = await psycopg.AsyncConnection.connect(db.app_url, autocommit=True)
    try:
        await conn.execute(f"LISTEN {CHANNEL}")  # before the first read: nothing recorded after it is missed
        last, deadline = after, time.monotonic() + limit_s
        while True:
            status, steps = await asyncio.to_thread(steps_after, db, tenant, run_id, last)
            for step in steps:
                last = step["step_no"]
                yield "step", step
            if status is None or status in TERMINAL or status == PAUSED:
                yield "end", status
                return
            left = deadline - time.monotonic()
            if left <= 0:
                yield "end", "timeout"
                return
            await _news(conn, tenant, run_id, min(recheck_s, left))
    finally:
        await conn.close()
