"""Dev and held-out splits of the golden sets: the one module that names the held-out files.

A suite's golden file in ``evals/datasets`` is its dev split (free to read and tune on). The file of the same name
under ``datasets/held_out`` is its held-out split: written apart from the code, read by nothing but the eval runner,
through this module (tests/evals/test_held_out_isolation.py enforces it). The runner runs a splittable suite once
per split present, records each split's content hash and item count, reports every metric as ``<metric>.dev`` and
``<metric>.held_out``, and gates on the held-out figure when there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from hyperjourney.evals import near_duplicates
from hyperjourney.evals.near_duplicates import NearDuplicate
from hyperjourney.evals.results import ItemResult, Series, SplitInfo, SuiteResult
from hyperjourney.evals.suite import DATASETS, Suite, dataset_hash

Split = Literal["dev", "held_out"]
DEV: Split = "dev"
HELD_OUT: Split = "held_out"
SPLITS: tuple[Split, ...] = (DEV, HELD_OUT)
HELD_OUT_DIR = DATASETS / HELD_OUT  # read at call time, so a test can point it at a temporary folder


@runtime_checkable
class SplitSuite(Suite, Protocol):
    """A suite scored on one golden file that can be pointed at the same file's other split."""

    def with_dataset(self, path: Path) -> Suite: ...

    def item_texts(self) -> list[tuple[str, str]]:
        """(item id, the text a model reads) per golden item, for near-duplicate checks."""
        ...


def held_out_file(dev: Path) -> Path | None:
    """The held-out twin of a dev golden file, when that split has landed."""
    twin = HELD_OUT_DIR / dev.name
    return twin if twin.is_file() else None


def splits_of(suite: Suite, only: Split | None = None) -> list[tuple[Split, Suite]]:
    """The suite once per split present: dev always, held-out when its file exists; ``only`` keeps one split.

    ``only="dev"`` is how people who tune the product run the evals without ever reading the held-out split.
    """
    found: list[tuple[Split, Suite]] = [(DEV, suite)]
    if isinstance(suite, SplitSuite) and only != DEV:
        files = suite.dataset_files()  # the first is the golden file; any after it are dev-only additions
        if files and (twin := held_out_file(files[0])) is not None:
            found.append((HELD_OUT, suite.with_dataset(twin)))
    if only == HELD_OUT:
        found = [(split, s) for split, s in found if split == HELD_OUT]
        if not found:
            raise ValueError(f"suite {suite.name!r} has no held-out split yet")
    return found


def total_size(suite: Suite, only: Split | None = None) -> int:
    """Progress units over every split the runner will score."""
    return sum(s.size() for _split, s in splits_of(suite, only))


def describe(split_suite: Suite, result: SuiteResult) -> SplitInfo:
    files = split_suite.dataset_files()
    return SplitInfo(files=[f.name for f in files], hash=dataset_hash(files), items=len(result.items))


def metric_key(metric: str, split: Split) -> str:
    return f"{metric}.{split}"


def suffixed(metrics: dict[str, float], split: Split) -> dict[str, float]:
    return {metric_key(k, split): v for k, v in metrics.items()}


def merge(suite: str, results: dict[Split, SuiteResult]) -> SuiteResult:
    """One result for the run: every metric per split, item counts, held-out items and plots labelled as such."""
    metrics: dict[str, float] = {}
    sources: dict[str, str] = {}
    items: list[ItemResult] = []
    series: dict[str, Series] = {}
    for split, r in results.items():
        metrics |= suffixed(r.metrics, split) | {metric_key("items", split): float(len(r.items))}
        sources |= {metric_key(k, split): v for k, v in r.metric_sources.items()}
        prefix = "" if split == DEV else f"{split}:"
        items += [i.model_copy(update={"item_id": prefix + i.item_id}) for i in r.items]
        series |= {(f"[{split}] {k}" if split != DEV else k): v for k, v in r.series.items()}
    judge = next((r.judge for r in results.values() if r.judge), None)
    return SuiteResult(suite=suite, metrics=metrics, items=items, series=series, judge=judge, metric_sources=sources)


def gated_key(metric: str, metrics: dict[str, float]) -> str:
    """The figure a gate reads: held-out when the run has it, else dev, else the unsplit metric."""
    for key in (metric_key(metric, HELD_OUT), metric_key(metric, DEV)):
        if key in metrics:
            return key
    return metric


def by_split(metrics: dict[str, float]) -> dict[str, dict[Split, float]]:
    """metric -> split -> value, for tables that show dev beside held-out (unsplit metrics are left out)."""
    table: dict[str, dict[Split, float]] = {}
    for key, value in metrics.items():
        base, _, split = key.rpartition(".")
        if base and split in SPLITS:
            table.setdefault(base, {})[DEV if split == DEV else HELD_OUT] = value
    return table


def near_duplicate_check(suite: str, parts: list[tuple[Split, Suite]]) -> dict[str, list[NearDuplicate]]:
    """Per split, its items that are near-copies of the suite's training data (and, for held-out, of dev items)."""
    training = near_duplicates.TRAINING.get(suite)
    against: list[tuple[str, str]] = list(training()) if training else []
    found: dict[str, list[NearDuplicate]] = {}
    for split, s in parts:
        if not isinstance(s, SplitSuite):
            continue
        texts = s.item_texts()
        found[split] = near_duplicates.find(texts, against)
        against += [(f"{split}:{item}", text) for item, text in texts]
    return found
