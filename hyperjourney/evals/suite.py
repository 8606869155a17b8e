"""The suite registry: each golden suite is one object with a name, a dataset and a `run`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hyperjourney.db.database import Database
from hyperjourney.evals.results import SuiteResult, Tier
from hyperjourney.settings import Settings

DATASETS = Path(__file__).parent / "datasets"

Advance = Callable[[int], None]


@dataclass(frozen=True)
class EvalEnv:
    db: Database
    tenant: str
    tier: Tier
    settings: Settings


class Suite(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def dataset_files(self) -> list[Path]: ...

    def size(self) -> int: ...

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult: ...


REGISTRY: dict[str, Suite] = {}


def register(suite: Suite) -> Suite:
    if suite.name in REGISTRY:
        raise ValueError(f"eval suite {suite.name!r} is registered twice")
    REGISTRY[suite.name] = suite
    return suite


def get(name: str) -> Suite:
    if name not in REGISTRY:
        raise ValueError(f"unknown eval suite {name!r}; choose from {', '.join(sorted(REGISTRY)) or '(none)'}")
    return REGISTRY[name]


def dataset_hash(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
