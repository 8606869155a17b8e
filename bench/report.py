"""One row per measured figure; ratios are against a baseline measured in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str
    baseline: float | None = None
    higher_is_better: bool = True
    meets_target: bool | None = None

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value


def print_table(figures: list[Figure], console: Console | None = None) -> None:
    table = Table(title="hyperjourney benchmarks")
    for col in ("figure", "value", "target", "met", "baseline", "× baseline"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for f in figures:
        met = "-" if f.meets_target is None else ("yes" if f.meets_target else "NO")
        base = "-" if f.baseline is None else f"{f.baseline:,.1f}"
        ratio = "-" if f.ratio is None else f"{f.ratio:,.1f}×"
        table.add_row(f.name, f"{f.value:,.1f} {f.unit}", f.target, met, base, ratio)
    (console or _console()).print(table)


def _console() -> Console:
    """Piped output (CI logs, tee) gets a wide page, so rows stay one line instead of wrapping at 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 180))


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


@contextmanager
def scratch_database() -> Iterator[object]:
    """A throwaway embedded Postgres, so benchmarks never touch the user's data."""
    import shutil
    import tempfile

    from hyperjourney.db import embedded
    from hyperjourney.db.database import Database
    from hyperjourney.db.migrate import migrate
    from hyperjourney.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="hj-bench-"))
    db = Database.from_settings(Settings(home=home))
    try:
        migrate(db)
        yield db
    finally:
        db.close()
        embedded.stop(home)
        shutil.rmtree(home, ignore_errors=True)
