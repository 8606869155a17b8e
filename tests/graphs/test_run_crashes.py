"""Processes killed or stalled mid-run (real processes, SIGKILL / SIGSTOP, bounded waits): a reject given after
an approver crashed ends the run without a launch; a starter that dies leaves a failed run with its reason,
never one stuck running; a resumer that lost its lease stops before its next side effect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from tests.graphs.test_resume_lease import _count, _lease
from tests.graphs.test_resume_process import ROOT, _env

WORKER = [sys.executable, "-m", "tests.graphs.resume_worker"]


def _env4(db: Database) -> dict[str, str]:
    return _env(db) | {"HYPERJOURNEY_GRAPHS__RESUME_LEASE_S": "4"}


def _started(db: Database, tenant: str) -> str:
    """A canvas run at its approval interrupt (started here: what these tests kill is the resumer, not the starter;
    tests/graphs/test_resume_process.py kills a starter)."""
    started = runs.start_canvas(db, tenant, "Lift LTV 20% in fintech SMBs")
    assert started.status == "awaiting_approval"
    return started.run_id


def _wait_expired(db: Database, tenant: str, run_id: str) -> None:
    deadline = time.monotonic() + 60
    while not _lease(db, tenant, run_id)[2]:
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.2)


def test_a_reject_after_the_approver_crashed_launches_nothing(db: Database, seeded: str) -> None:
    run_id = _started(db, seeded)
    hanging = subprocess.Popen(
        [*WORKER, "resume-hang", seeded, run_id], cwd=ROOT, env=_env4(db), stdout=subprocess.PIPE, text=True
    )
    try:
        assert hanging.stdout is not None
        assert hanging.stdout.readline().split() == ["launching", run_id]  # its approve is recorded, mid-launch
    finally:
        hanging.send_signal(signal.SIGKILL)
        hanging.wait(timeout=30)
    _wait_expired(db, seeded, run_id)

    rejected = runs.resume(db, seeded, run_id, {"action": "reject", "reviewer": "second-process", "comment": "no"})
    assert rejected.status == "rejected"  # the latest decision wins: nothing is live
    assert _count(db, seeded, run_id, "journey_launch") == 0
    assert _count(db, seeded, run_id, "approval:superseded") == 1
    with db.tenant(seeded) as conn:
        outcome = conn.execute("SELECT decision FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchone()
        launched = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'journey_launched' AND payload->>'plan' = %s", (run_id,)
        ).fetchone()
    assert outcome == ("rejected",) and launched == (0,)


def test_a_starter_killed_mid_start_leaves_a_failed_run_with_its_reason(db: Database, seeded: str) -> None:
    starter = subprocess.Popen(
        [*WORKER, "start-hang", seeded], cwd=ROOT, env=_env4(db), stdout=subprocess.PIPE, text=True
    )
    try:
        assert starter.stdout is not None
        assert starter.stdout.readline().startswith("step ")  # the first step is recorded, the run is mid-start
        with db.tenant(seeded) as conn:
            row = conn.execute(
                "SELECT run_id, status, resumed_by FROM agent_runs WHERE resumed_by LIKE %s", (f"%:{starter.pid}:%",)
            ).fetchone()
        assert row is not None and row[1] == "running"
        run_id = str(row[0])
    finally:
        starter.kill()
        starter.wait(timeout=30)
    _wait_expired(db, seeded, run_id)

    view = runs.show_run(db, seeded, run_id)
    assert view.status == "failed"
    assert (
        "stopped before it reached an approval" in view.summary["error"] and str(starter.pid) in view.summary["error"]
    )
    assert _count(db, seeded, run_id, "run_abandoned") == 1
    with pytest.raises(runs.RunStateError, match="is failed, not awaiting approval"):
        runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "late"})


def test_a_resumer_that_lost_its_lease_stops_before_its_next_side_effect(db: Database, seeded: str) -> None:
    run_id = _started(db, seeded)
    stalled = subprocess.Popen(
        [*WORKER, "resume-stall", seeded, run_id], cwd=ROOT, env=_env4(db), stdout=subprocess.PIPE, text=True
    )
    try:
        assert stalled.stdout is not None
        assert stalled.stdout.readline().strip() == "deciding"  # inside the approval node, lease held
        os.kill(stalled.pid, signal.SIGSTOP)  # the whole process stalls: no heartbeat either
        _wait_expired(db, seeded, run_id)
        takeover = runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "second-process"})
        assert takeover.status == "completed"
        os.kill(stalled.pid, signal.SIGCONT)
        out, _ = stalled.communicate(timeout=120)
    finally:
        if stalled.poll() is None:
            stalled.kill()
            stalled.wait(timeout=30)
    assert stalled.returncode == 4 and "lost its lease" in out
    assert _count(db, seeded, run_id, "journey_launch") == 1 and _count(db, seeded, run_id, "run_finished") == 1
    with db.tenant(seeded) as conn:
        outcome = conn.execute("SELECT decision, reviewer FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchone()
        approvals = conn.execute(
            "SELECT actor FROM audit_log WHERE entity = %s AND action = 'approval:approve'", (run_id,)
        ).fetchall()
    assert outcome == ("approved", "second-process")
    assert approvals == [("human:second-process",)]  # the stalled process wrote nothing after it lost the lease
