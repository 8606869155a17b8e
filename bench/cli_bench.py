"""CLI cold start: wall time of `hyperjourney --help` and `db url` in fresh processes, beside `python -c pass`.

Each figure is the median of a few runs, each a new interpreter, so imports are paid every time as a user
pays them. Bytecode caching is on for the children (a user's Python writes .pyc files; with
PYTHONDONTWRITEBYTECODE set every import would be compiled from source, which measures the compiler) and one
untimed run comes first. `db url` runs against a throwaway embedded Postgres started beforehand (what is timed
is the command, not the server's first start). Target: under 0.5 s added to a bare interpreter's start.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import Figure, stopwatch

RUNS = 5
ADDED_TARGET_MS = 500.0


def _median_ms(argv: list[str], env: dict[str, str]) -> float:
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(RUNS):
        with stopwatch() as elapsed:
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(elapsed() * 1000)
    return statistics.median(times)


def run() -> list[Figure]:
    from hyperjourney.db import embedded

    home = Path(tempfile.mkdtemp(prefix="hj-bench-cli-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"HYPERJOURNEY_HOME": str(home)}
    cli = [sys.executable, "-m", "hyperjourney.cli"]
    try:
        subprocess.run([*cli, "db", "up"], env=env, check=True, stdout=subprocess.DEVNULL)
        bare = _median_ms([sys.executable, "-c", "pass"], env)
        figures = []
        for label, args in (("--help", ["--help"]), ("db url", ["db", "url"])):
            ms = _median_ms([*cli, *args], env)
            figures.append(
                Figure(
                    f"CLI cold start: hyperjourney {label} (baseline python -c pass)",
                    ms,
                    "ms",
                    f"< +{ADDED_TARGET_MS:.0f} ms",
                    baseline=bare,
                    higher_is_better=False,
                    meets_target=ms - bare < ADDED_TARGET_MS,
                )
            )
        return figures
    finally:
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)
