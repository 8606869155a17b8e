"""Approval survives the process: start in one process, kill it at the interrupt, resume in another (this one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs

ROOT = Path(__file__).resolve().parents[2]


def _env(db: Database) -> dict[str, str]:
    env = dict(os.environ)
    env["HYPERJOURNEY_DATABASE_URL"] = db.admin_url
    env["HYPERJOURNEY_APP_DATABASE_URL"] = db.app_url
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_killed_process_resumes_elsewhere_and_finishes_exactly_once(db: Database, seeded: str) -> None:
    worker = [sys.executable, "-m", "tests.graphs.resume_worker"]
    starter = subprocess.Popen(
        [*worker, "start", seeded], cwd=ROOT, env=_env(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert starter.stdout is not None
        line = starter.stdout.readline().split()
        assert line and line[1] == "awaiting_approval", starter.stderr.read() if starter.stderr else ""
        run_id = line[0]
    finally:
        starter.kill()
        starter.wait(timeout=30)
    assert starter.returncode != 0  # it died at the interrupt, it did not finish

    # resumed in this process, which never saw the run: everything it needs comes from the database
    first = runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "second-process", "comment": "no"})
    assert first.status == "completed"
    with pytest.raises(runs.RunStateError, match="completed, not awaiting approval"):
        runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "third-process"})

    with db.tenant(seeded) as conn:
        outcomes = conn.execute("SELECT decision, reviewer FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchall()
        launches = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = %s AND action = 'journey_launch'", (run_id,)
        ).fetchone()
        finished = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = %s AND action = 'run_finished'", (run_id,)
        ).fetchone()
        status = conn.execute("SELECT status FROM agent_runs WHERE run_id = %s", (run_id,)).fetchone()
    assert outcomes == [("approved", "second-process")]
    assert launches == (1,) and finished == (1,) and status == ("completed",)
