"""A separate process for the kill-and-resume tests: `start TENANT` runs the canvas to its approval interrupt,
prints the run id and waits to be killed; `start-hang TENANT` hangs after its first step (holding the start
lease) until killed; `resume TENANT RUN [approve|reject]` decides it from a fresh process; `resume-hang TENANT
RUN` approves it but hangs inside the launch (holding the resume lease) until killed; `resume-stall TENANT RUN`
approves it but prints "deciding" and sleeps 3 s inside the approval (the test stops it there)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from hyperjourney.db.database import Database
from hyperjourney.graphs import runs
from hyperjourney.graphs.wiring import build_deps
from hyperjourney.settings import Settings


class _HangingLauncher:
    """Stands in for a launch that never returns: the process is killed while it holds the lease."""

    name = "hanging"

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> Any:
        print("launching", run_id, flush=True)
        time.sleep(600)


def main(argv: list[str]) -> int:
    command, tenant = argv[0], argv[1]
    db = Database.from_settings(Settings())
    if command == "start":
        result = runs.start_canvas(db, tenant, "Lift LTV 20% in fintech SMBs")
        print(result.run_id, result.status, flush=True)
        time.sleep(600)  # killed by the test while holding the interrupted run
        return 0
    if command == "start-hang":

        def hang(message: str) -> None:
            print("step", message, flush=True)
            time.sleep(600)

        deps = build_deps(db, Settings())
        deps.progress = hang
        runs.start_canvas(db, tenant, "Lift LTV 20% in fintech SMBs", deps=deps)
        return 0
    if command == "resume-stall":
        calls: list[int] = []

        def clock() -> datetime:
            if not calls:
                calls.append(1)
                print("deciding", flush=True)
                time.sleep(3)
            return datetime.now(UTC)

        deps = build_deps(db, Settings(), clock=clock)
        try:
            runs.resume(db, tenant, argv[2], {"action": "approve", "reviewer": "stalled-process"}, deps=deps)
        except runs.LeaseLost as exc:
            print(f"lost: {exc}", flush=True)
            return 4
        return 0
    if command == "resume-hang":
        deps = build_deps(db, Settings(), launcher=_HangingLauncher())
        runs.resume(db, tenant, argv[2], {"action": "approve", "reviewer": "crashing-process"}, deps=deps)
        return 0
    try:
        action = argv[3] if len(argv) > 3 else "approve"
        result = runs.resume(db, tenant, argv[2], {"action": action, "reviewer": "second-process", "comment": "no"})
    except runs.RunStateError as exc:
        print(f"refused: {exc}", flush=True)
        return 3
    print(result.run_id, result.status, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
