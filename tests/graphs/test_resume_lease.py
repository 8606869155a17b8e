"""Resume leases: a live resumer keeps the run (a second one is refused, even past the lease length, since
the heartbeat renews it); a resumer killed mid-resume leaves a lease that expires, and another process
then takes the run over and finishes it exactly once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.journeys.launch import LaunchResult
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import GraphSettings, Settings
from tests.agentkit import fixed_clock, launched
from tests.graphs.test_resume_process import ROOT, _env

GOAL = "Lift LTV 20% in fintech SMBs"


class _GatedLauncher:
    """Blocks inside the launch until the test opens the gate, so the resume is live and mid-flight."""

    name = "test: gated launcher"

    def __init__(self) -> None:
        self.entered, self.gate = threading.Event(), threading.Event()
        self.launched: list[str] = []

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        self.entered.set()
        assert self.gate.wait(120)
        self.launched.append(run_id)
        return launched(run_id)


def _lease(db: Database, tenant: str, run_id: str) -> tuple[str, str | None, bool]:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT status, resumed_by, coalesce(lease_expires_at < now(), true) FROM agent_runs WHERE run_id = %s",
            (run_id,),
        ).fetchone()
    assert row is not None
    return row[0], row[1], bool(row[2])


def _count(db: Database, tenant: str, run_id: str, action: str) -> int:
    with db.tenant(tenant) as conn:
        row = conn.execute(
            "SELECT count(*) FROM audit_log WHERE entity = %s AND action = %s", (run_id, action)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_live_resumer_keeps_its_lease_and_a_second_one_is_refused(
    db: Database, seeded: str, settings: Settings
) -> None:
    short = settings.model_copy(update={"graphs": GraphSettings(resume_lease_s=3.0)})
    launcher = _GatedLauncher()
    deps = build_deps(db, short, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    results: list[runs.RunResult] = []
    first = threading.Thread(
        target=lambda: results.append(
            runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "ana"}, deps=deps, holder="A")
        )
    )
    first.start()
    try:
        assert launcher.entered.wait(120)
        for _ in range(3):  # well past the 3 s lease: the heartbeat keeps renewing it
            with pytest.raises(runs.RunStateError, match=r"resuming in A \(lease until"):
                runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "bo"}, deps=deps, holder="B")
            time.sleep(1.2)
        assert _lease(db, seeded, started.run_id)[:2] == ("resuming", "A")
    finally:
        launcher.gate.set()
        first.join(120)
    assert [r.status for r in results] == ["completed"] and launcher.launched == [started.run_id]
    assert _count(db, seeded, started.run_id, "run_resume_takeover") == 0
    with pytest.raises(runs.RunStateError, match="completed, not awaiting approval"):
        runs.resume(db, seeded, started.run_id, {"action": "approve", "reviewer": "bo"}, deps=deps, holder="B")


def test_two_resumers_racing_for_one_approval_exactly_one_wins(db: Database, seeded: str, settings: Settings) -> None:
    launcher = _GatedLauncher()
    launcher.gate.set()
    deps = build_deps(db, settings, tiers=Tiers(), clock=fixed_clock(), launcher=launcher)
    started = runs.start_canvas(db, seeded, GOAL, deps=deps)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(holder: str) -> None:
        barrier.wait()
        try:
            answer = {"action": "approve", "reviewer": holder}
            outcomes.append(runs.resume(db, seeded, started.run_id, answer, deps=deps, holder=holder).status)
        except runs.RunStateError:
            outcomes.append("refused")

    threads = [threading.Thread(target=race, args=(h,)) for h in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(outcomes) == ["completed", "refused"]
    assert launcher.launched == [started.run_id]
    assert _count(db, seeded, started.run_id, "journey_launch") == 1


def test_a_resumer_killed_mid_resume_is_taken_over_after_its_lease_expires(db: Database, seeded: str) -> None:
    worker = [sys.executable, "-m", "tests.graphs.resume_worker"]
    env = _env(db) | {"HYPERJOURNEY_GRAPHS__RESUME_LEASE_S": "4"}
    started = runs.start_canvas(db, seeded, GOAL)  # the process killed here is the resumer, not the starter
    assert started.status == "awaiting_approval"
    run_id = started.run_id

    hanging = subprocess.Popen(
        [*worker, "resume-hang", seeded, run_id], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert hanging.stdout is not None
        assert hanging.stdout.readline().split() == ["launching", run_id]  # approved, now inside the launch
        status, holder, expired = _lease(db, seeded, run_id)
        assert status == "resuming" and holder is not None and str(hanging.pid) in holder and not expired
        with pytest.raises(runs.RunStateError, match=r"resuming in .*\(lease until"):
            runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "too-early"})
    finally:
        hanging.kill()
        hanging.wait(timeout=30)
    deadline = time.monotonic() + 120
    while not _lease(db, seeded, run_id)[2]:  # the dead process renews nothing: its lease runs out
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert _lease(db, seeded, run_id)[0] == "resuming"  # without the lease it would stay stuck here forever

    takeover = runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "second-process"})
    assert takeover.status == "completed"
    with pytest.raises(runs.RunStateError, match="completed, not awaiting approval"):
        runs.resume(db, seeded, run_id, {"action": "approve", "reviewer": "third-process"})

    assert _count(db, seeded, run_id, "run_resume_takeover") == 1
    assert _count(db, seeded, run_id, "journey_launch") == 1 and _count(db, seeded, run_id, "run_finished") == 1
    with db.tenant(seeded) as conn:
        takeover_row = conn.execute(
            "SELECT payload->>'previous' FROM audit_log WHERE entity = %s AND action = 'run_resume_takeover'",
            (run_id,),
        ).fetchone()
        outcome = conn.execute("SELECT decision, reviewer FROM agent_outcomes WHERE run_id = %s", (run_id,)).fetchone()
    assert takeover_row is not None and takeover_row[0] == holder
    # the crashed process had recorded its approval before the launch: that decision stands
    assert outcome == ("approved", "crashing-process")
