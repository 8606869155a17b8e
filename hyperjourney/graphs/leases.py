"""Run leases: the one process that may move a run holds it, from its first step to its last.

A started run and a resumed run each hold a lease (``resumed_by`` = holder, ``lease_expires_at``) that a
heartbeat renews while the graph works. A second live process cannot claim a held run; a process that dies
leaves a lease that expires: a dead resumer's run is taken over by the next resume, a dead starter's run is
marked failed with the reason (nothing was launched; start it again). A process that loses its lease (it
stalled past it and another took over) stops before its next side effect: every node checks the lease
first, and the launch re-checks it in the database inside its own transaction.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime
from types import TracebackType
from typing import Any

import psycopg

from hyperjourney.data import audit
from hyperjourney.db.database import Database


class RunStateError(ValueError):
    """The run cannot take this action in its current state (named in the message)."""


class LeaseLost(RunStateError):
    """This process no longer holds the run's lease: another process owns it now, so this one stops."""


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """Renews a run's lease every third of its length while the graph works; stops on exit.

    ``check()`` raises LeaseLost once a renewal found the run held by someone else (or finished)."""

    def __init__(self, db: Database, tenant: str, run_id: str, holder: str, lease_s: float) -> None:
        self.db, self.tenant, self.run_id, self.holder, self.lease_s = db, tenant, run_id, holder, lease_s
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease:{run_id}", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(
                f"run {self.run_id}: this process ({self.holder}) lost its lease (it stalled past "
                f"{self.lease_s:g} s and another process took the run over); it stopped before its next side effect"
            )

    def check_in(self, conn: psycopg.Connection[Any]) -> None:
        """The fence for a side effect: inside the caller's transaction, the lease must still be ours and live."""
        self.check()
        row = conn.execute(
            "SELECT 1 FROM agent_runs WHERE run_id = %s AND resumed_by = %s AND lease_expires_at > now()",
            (self.run_id, self.holder),
        ).fetchone()
        if row is None:
            self.lost = True
            self.check()

    def verify(self) -> None:
        """The fence before a node's side effects: one read of the run's lease row."""
        self.check()
        with self.db.tenant(self.tenant) as conn:
            self.check_in(conn)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                with self.db.tenant(self.tenant) as conn:
                    row = conn.execute(
                        "UPDATE agent_runs SET lease_expires_at = now() + make_interval(secs => %s) "
                        "WHERE run_id = %s AND status IN ('running', 'resuming') AND resumed_by = %s RETURNING 1",
                        (self.lease_s, self.run_id, self.holder),
                    ).fetchone()
            except psycopg.Error:
                continue  # a missed beat is retried; the lease is three beats long
            if row is None:  # finished, or taken over after we stalled past the lease
                self.lost = True
                return


def lease_of(config: Any) -> Lease | None:
    """The lease a node runs under (runs.py passes it in the config; LangGraph's own server passes none)."""
    lease = (config or {}).get("configurable", {}).get("lease")
    return lease if isinstance(lease, Lease) else None


def reap_abandoned(conn: psycopg.Connection[Any]) -> list[str]:
    """Runs whose starter died before they reached an approval or an end: failed, with the reason."""
    rows = conn.execute(
        "UPDATE agent_runs SET status = 'failed', updated_at = now(), summary = summary || jsonb_build_object("
        "'error', 'the process that started this run (' || resumed_by || ') stopped before it reached an approval "
        "or an end (its lease expired at ' || to_char(lease_expires_at, 'YYYY-MM-DD HH24:MI:SS TZ') || '); "
        "nothing was launched: start the run again', 'abandoned_by', resumed_by) "
        "WHERE status = 'running' AND lease_expires_at < now() RETURNING run_id, resumed_by"
    ).fetchall()
    for run_id, holder in rows:
        audit.append(conn, actor="agents", action="run_abandoned", entity=run_id, payload={"holder": holder})
    return [str(r[0]) for r in rows]


def claim(db: Database, tenant: str, run_id: str, holder: str, lease_s: float) -> tuple[str, str | None, str | None]:
    """Claim an awaiting run for ``holder``; returns (flow, the previous holder when this is a takeover, the id
    of the interrupt it was awaiting when it was last handed to a person).

    Refuses a run another live process holds, and one that is not waiting for a decision."""
    with db.tenant(tenant) as conn:
        reap_abandoned(conn)
        row = conn.execute(
            "SELECT flow, status, resumed_by, lease_expires_at, coalesce(lease_expires_at < now(), true), "
            "summary->>'awaiting' "
            "FROM agent_runs WHERE run_id = %s FOR UPDATE",
            (run_id,),
        ).fetchone()
        if row is None:
            raise RunStateError(f"run {run_id!r} not found in tenant {tenant!r}")
        flow, status, previous, expires, expired, awaiting = row
        takeover = status == "resuming" and bool(expired)
        if status in ("resuming", "running") and not takeover:
            raise RunStateError(
                f"run {run_id} is {status} in {previous} (lease until {_at(expires)}), not awaiting approval; "
                "it can be taken over once that lease expires"
            )
        if status != "awaiting_approval" and not takeover:
            raise RunStateError(f"run {run_id} is {status}, not awaiting approval")
        conn.execute(
            "UPDATE agent_runs SET status = 'resuming', resumed_by = %s, "
            "lease_expires_at = now() + make_interval(secs => %s), updated_at = now() WHERE run_id = %s",
            (holder, lease_s, run_id),
        )
        if takeover:
            audit.append(
                conn,
                actor=holder,
                action="run_resume_takeover",
                entity=run_id,
                payload={"previous": previous, "lease_expired_at": expires.isoformat() if expires else None},
            )
    return str(flow), (str(previous) if takeover else None), awaiting


def release(db: Database, tenant: str, run_id: str, holder: str) -> None:
    """Give a claimed run back at once (its lease ends now), so the next decision can take it over."""
    with db.tenant(tenant) as conn:
        conn.execute(
            "UPDATE agent_runs SET lease_expires_at = now() - interval '1 second' "
            "WHERE run_id = %s AND resumed_by = %s",
            (run_id, holder),
        )


def _at(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M:%S %Z}" if when else "unknown"
