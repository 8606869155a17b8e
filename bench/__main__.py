"""Run every benchmark and print one table: `python -m bench` (or `make bench`); `python -m bench scale --full`
runs the scale benchmark at the issue's full size."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial

from rich.console import Console

from bench import (
    agents_bench,
    audit_bench,
    cli_bench,
    hardening_bench,
    ingest_bench,
    knowledge_bench,
    nba_bench,
    ope_bench,
    policy_bench,
    scale_bench,
    scoring_bench,
    surfaces_bench,
    value_bench,
)
from bench.report import Figure, print_table

SUITES: dict[str, Callable[[], list[Figure]]] = {
    "cli": cli_bench.run,
    "ingest": ingest_bench.run,
    "nba": nba_bench.run,
    "agents": agents_bench.run,
    "knowledge": knowledge_bench.run,
    "scoring": scoring_bench.run,
    "policy": policy_bench.run,
    "surfaces": surfaces_bench.run,
    "hardening": hardening_bench.run,
    "audit": audit_bench.run,
    "value": value_bench.run,
    "ope": ope_bench.run,
    "scale": scale_bench.run,
}


def main(argv: list[str]) -> int:
    suites = dict(SUITES)
    if "--full" in argv:
        suites["scale"] = partial(scale_bench.run, full=True)
    chosen = [a for a in argv if a != "--full"] or list(suites)
    unknown = [name for name in chosen if name not in suites]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(suites)}", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    figures: list[Figure] = []
    for name in chosen:
        console.print(f"running {name} benchmark…")
        figures.extend(suites[name]())
    print_table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
