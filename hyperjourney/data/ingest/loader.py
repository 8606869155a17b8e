"""Validate rows, stage them with COPY, reject what the database refutes, insert the rest in one transaction.

Every rejected row is reported with its line, field and reason. In strict mode one bad row rolls the
whole file back, so nothing is half-written; otherwise the good rows land and the bad ones go to a
rejects file.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from pydantic import ValidationError

from hyperjourney.data.audit import append as audit_append
from hyperjourney.data.ingest.datasets import DATASETS, Dataset
from hyperjourney.data.ingest.decisions import DECISIONS
from hyperjourney.data.ingest.readers import Record, read_rows
from hyperjourney.data.ingest.rows import Row

BATCH = 20_000
KINDS: dict[str, Dataset] = {**DATASETS, DECISIONS.name: DECISIONS}


@dataclass(frozen=True)
class Reject:
    line: int
    field: str
    reason: str
    value: Any = None


@dataclass
class LoadResult:
    dataset: str
    main_table: str
    read: int = 0
    inserted: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    strict_failed: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({r.line for r in self.rejects})

    @property
    def duplicates(self) -> int:
        """Valid rows that were already stored (or repeated within the file)."""
        if self.strict_failed:
            return 0
        return max(self.read - self.rejected_rows - self.inserted.get(self.main_table, 0), 0)


class IngestError(ValueError):
    pass


def dataset(name: str) -> Dataset:
    try:
        return KINDS[name]
    except KeyError:
        raise IngestError(f"unknown dataset {name!r}; choose one of {', '.join(KINDS)}") from None


def validate(ds: Dataset, records: Iterable[tuple[int, Record]]) -> Iterator[tuple[int, Row] | Reject]:
    model = ds.row_model
    for line, record in records:
        if isinstance(record, str):
            yield Reject(line, "(row)", record)
            continue
        try:
            yield line, model.model_validate_json(record) if isinstance(record, bytes) else model.model_validate(record)
        except ValidationError as exc:
            for err in exc.errors():
                yield _reject_from(line, err)


def _reject_from(line: int, err: Any) -> Reject:
    where = ".".join(str(p) for p in err["loc"]) or "(row)"
    value = err.get("input")
    if err["type"] == "json_invalid":
        where, reason = "(row)", f"invalid JSON: {err.get('ctx', {}).get('error', err['msg'])}"
    elif err["type"] == "model_type":
        reason = "each line must be a JSON object"
    elif err["type"] == "missing" or (value is None and err["type"].endswith("_type")):
        reason = "required field is missing"
    elif err["type"] == "extra_forbidden":
        reason = "unknown column"
    else:
        reason = str(err["msg"]).removeprefix("Value error, ")
    return Reject(line, where, reason, value if isinstance(value, str | int | float | bool) else None)


def load_rows(
    conn: psycopg.Connection[Any],
    ds: Dataset,
    rows: Iterable[tuple[int, Row] | Reject],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Load into the tenant bound to ``conn`` inside the caller's transaction."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # bulk loads allocate millions of short-lived objects; cyclic GC passes cost ~2x here
    try:
        return _load(conn, ds, rows, strict=strict, progress=progress)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load(
    conn: psycopg.Connection[Any],
    ds: Dataset,
    rows: Iterable[tuple[int, Row] | Reject],
    *,
    strict: bool,
    progress: Callable[[int], None] | None,
) -> LoadResult:
    """Validate batch N+1 in this thread while a worker writes batch N on the same connection."""
    result = LoadResult(ds.name, ds.target)
    last_reject_line = -1
    with conn.transaction(), ThreadPoolExecutor(max_workers=1) as worker:
        for stage in ds.stages:
            conn.execute(stage.create_sql())
        writing: Future[None] | None = None
        buffers = _empty_buffers(ds)
        staged = 0
        for item in rows:
            if isinstance(item, Reject):
                result.rejects.append(item)
                if item.line == last_reject_line:
                    continue
                last_reject_line = item.line
                result.read += 1
            else:
                result.read += 1
                line, row = item
                for stage_name, tuples in ds.to_stage(row).items():
                    buffers[stage_name].extend((line, *t) for t in tuples)
                staged += 1
                if staged >= BATCH:
                    if writing is not None:
                        writing.result()
                    writing = worker.submit(_write_batch, conn, ds, buffers, result, strict)
                    buffers, staged = _empty_buffers(ds), 0
            if progress is not None and result.read % 1000 == 0:
                progress(1000)
        if writing is not None:
            writing.result()
        _write_batch(conn, ds, buffers, result, strict)
        if progress is not None:
            progress(result.read % 1000)
        result.rejects.sort(key=lambda r: (r.line, r.field))
        if strict and result.rejects:
            result.strict_failed = True
            raise _StrictRollback(result)
    return result


class _StrictRollback(Exception):
    def __init__(self, result: LoadResult) -> None:
        super().__init__("strict mode: rejected rows")
        self.result = result


def _empty_buffers(ds: Dataset) -> dict[str, list[tuple[Any, ...]]]:
    return {s.name: [] for s in ds.stages}


def _write_batch(
    conn: psycopg.Connection[Any],
    ds: Dataset,
    buffers: dict[str, list[tuple[Any, ...]]],
    result: LoadResult,
    strict: bool,
) -> None:
    """COPY one batch into the stage, reject what the database refutes, insert the rest, empty the stage."""
    for stage in ds.stages:
        tuples = buffers[stage.name]
        if tuples:
            with conn.cursor().copy(f"COPY {stage.name} ({', '.join(stage.column_names)}) FROM STDIN") as copy:
                for t in tuples:
                    copy.write_row(t)
    db_rejects = _run_checks(conn, ds)
    result.rejects.extend(db_rejects)
    if not (strict and result.rejects):
        if db_rejects:
            bad = sorted({r.line for r in db_rejects})
            for stage in ds.stages:
                conn.execute(f"DELETE FROM {stage.name} WHERE line = ANY(%s)", (bad,))
        for table, insert_sql in ds.inserts:
            cur = conn.execute(insert_sql)
            result.inserted[table] = result.inserted.get(table, 0) + max(cur.rowcount, 0)
    for stage in ds.stages:
        conn.execute(f"TRUNCATE {stage.name}")


def _run_checks(conn: psycopg.Connection[Any], ds: Dataset) -> list[Reject]:
    found: list[Reject] = []
    for check in ds.checks:
        for line, value in conn.execute(check.sql):
            found.append(Reject(line, check.field, check.reason, value))
    return found


def ingest_file(
    conn: psycopg.Connection[Any],
    name: str,
    path: Path,
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Ingest one file into the bound tenant and audit it; strict mode writes nothing on any bad row."""
    ds = dataset(name)
    try:
        result = load_rows(conn, ds, validate(ds, read_rows(path)), strict=strict, progress=progress)
    except _StrictRollback as rollback:
        result = rollback.result
    audit_append(
        conn,
        actor="cli",
        action="ingest",
        entity=f"{name}:{path.name}",
        payload={
            "rows": result.read,
            "inserted": result.inserted,
            "rejected": len(result.rejects),
            "strict_failed": result.strict_failed,
        },
    )
    return result


def write_rejects(path: Path, rejects: list[Reject]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rejects:
            fh.write(json.dumps({"line": r.line, "field": r.field, "reason": r.reason, "value": r.value}) + "\n")
