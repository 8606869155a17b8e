"""Validate rows, stage them with COPY, reject what the database refutes, insert the rest in one transaction.

Every rejected row is reported with its line, field and reason. In strict mode one bad row rolls the
whole file back, so nothing is half-written; otherwise the good rows land and the bad ones go to a
rejects file.
"""

from __future__ import annotations

import gc
import json
from collections import Counter
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
from hyperjourney.data.ingest.rows import DATE_WITHOUT_TIME, EARLIEST, Row, Validation, at_default_time, plausible_range

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
    warnings: Counter[str] = field(default_factory=Counter)
    """Values accepted after a stated assumption (e.g. a date without time), by kind."""

    @property
    def rejected_rows(self) -> int:
        return len({r.line for r in self.rejects})

    @property
    def duplicates(self) -> int:
        """Valid rows that were already stored (or repeated within the file)."""
        if self.strict_failed:
            return 0
        return max(self.read - self.rejected_rows - self.inserted.get(self.main_table, 0), 0)

    def by_reason(self) -> list[tuple[str, str, int, int]]:
        """(field, reason, rows, first line) per distinct reason, most frequent first."""
        counts: Counter[tuple[str, str]] = Counter()
        first: dict[tuple[str, str], int] = {}
        for r in self.rejects:
            key = (r.field, _reason_kind(r.reason))
            counts[key] += 1
            first.setdefault(key, r.line)
        return [(f, reason, n, first[f, reason]) for (f, reason), n in counts.most_common()]


def _reason_kind(reason: str) -> str:
    """The cause without the row's own values (reasons put those after the first ": ")."""
    return reason.split(": ", 1)[0]


class IngestError(ValueError):
    pass


def dataset(name: str) -> Dataset:
    try:
        return KINDS[name]
    except KeyError:
        raise IngestError(f"unknown dataset {name!r}; choose one of {', '.join(KINDS)}") from None


def validate(
    ds: Dataset, records: Iterable[tuple[int, Record]], options: Validation | None = None
) -> Iterator[tuple[int, Row] | Reject]:
    """Rows or rejects, line by line; ``options`` sets the date default and limits, and counts warnings."""
    model = ds.row_model
    options = options or Validation()
    context = {"ingest": options}
    for line, record in records:
        if isinstance(record, str):
            yield Reject(line, "(row)", record)
            continue
        nul = nul_field(record)
        if nul is not None:
            yield Reject(line, nul, "contains a NUL character (\\u0000), which cannot be stored")
            continue
        try:
            if isinstance(record, bytes):
                options.row_bytes = len(record)
                yield line, model.model_validate_json(record, context=context)
            else:
                options.row_bytes = None
                yield line, model.model_validate(record, context=context)
        except ValidationError as exc:
            dated = _with_default_times(record, exc, options)
            if dated is None:
                yield from (_reject_from(line, err) for err in exc.errors())
                continue
            try:
                yield line, model.model_validate(dated[0], context=context)
                options.warnings[DATE_WITHOUT_TIME] += dated[1]
            except ValidationError as again:
                yield from (_reject_from(line, err) for err in again.errors())


def _with_default_times(
    record: dict[str, Any] | bytes, exc: ValidationError, options: Validation
) -> tuple[dict[str, Any], int] | None:
    """The record with its dates without time given the default time, and how many; None if it has none."""
    dates = {}
    for err in exc.errors():
        if err["type"] == "timezone_aware" and len(err["loc"]) == 1:
            when = at_default_time(err["input"], options)
            if when is not None:
                dates[str(err["loc"][0])] = when
    if not dates:
        return None
    data = json.loads(record) if isinstance(record, bytes) else record
    return {**data, **dates}, len(dates)


def nul_field(record: dict[str, Any] | bytes) -> str | None:
    """Where a NUL sits (Postgres text and jsonb cannot hold one); JSON lines are scanned as bytes first."""
    if isinstance(record, bytes):
        if b"\\u0000" not in record:
            return None
        try:
            parsed = json.loads(record)
        except ValueError:
            return None
        return _nul_in(parsed, "") if isinstance(parsed, dict) else None
    return _nul_in(record, "")


def _nul_in(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "(row)") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul_in(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


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
    options: Validation | None = None,
) -> LoadResult:
    """Load into the tenant bound to ``conn`` inside the caller's transaction; ``options`` bound the times."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # bulk loads allocate millions of short-lived objects; cyclic GC passes cost ~2x here
    try:
        return _load(conn, ds, rows, strict=strict, progress=progress, options=options or Validation())
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
    options: Validation,
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
                    writing = worker.submit(_write_batch, conn, ds, buffers, result, strict, options)
                    buffers, staged = _empty_buffers(ds), 0
            if progress is not None and result.read % 1000 == 0:
                progress(1000)
        if writing is not None:
            writing.result()
        _write_batch(conn, ds, buffers, result, strict, options)
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
    options: Validation,
) -> None:
    """COPY one batch into the stage, reject what the database refutes, insert the rest, empty the stage."""
    for stage in ds.stages:
        tuples = buffers[stage.name]
        if tuples:
            with conn.cursor().copy(f"COPY {stage.name} ({', '.join(stage.column_names)}) FROM STDIN") as copy:
                for t in tuples:
                    copy.write_row(t)
    db_rejects = _run_checks(conn, ds, options, buffers)
    result.rejects.extend(db_rejects)
    if not (strict and result.rejects):
        _drop_lines(conn, ds, db_rejects)
        inserted = _insert_if_all_new(conn, ds, buffers, {r.line for r in db_rejects})
        if inserted is None:  # some ids were stored before: compare them, reject the changed ones, insert the rest
            conflicts = _stored_conflicts(conn, ds)
            result.rejects.extend(conflicts)
            _drop_lines(conn, ds, conflicts)
            inserted = {} if strict and conflicts else _insert(conn, ds)
        for table, n in inserted.items():
            result.inserted[table] = result.inserted.get(table, 0) + n
    for stage in ds.stages:
        conn.execute(f"TRUNCATE {stage.name}")


def _drop_lines(conn: psycopg.Connection[Any], ds: Dataset, rejects: list[Reject]) -> None:
    if rejects:
        bad = sorted({r.line for r in rejects})
        for stage in ds.stages:
            conn.execute(f"DELETE FROM {stage.name} WHERE line = ANY(%s)", (bad,))


def _insert(conn: psycopg.Connection[Any], ds: Dataset) -> dict[str, int]:
    return {table: max(conn.execute(sql).rowcount, 0) for table, sql in ds.inserts}


class _SomeStoredBefore(Exception):
    pass


def _insert_if_all_new(
    conn: psycopg.Connection[Any], ds: Dataset, buffers: dict[str, list[tuple[Any, ...]]], dropped: set[int]
) -> dict[str, int] | None:
    """Insert under a savepoint and keep it if every id was new (the usual case); None, rolled back, if not.

    The inserts' own index probes answer "was any id stored before?", so a fresh load never pays for
    comparing rows with what is stored; only a batch that repeats stored ids runs that comparison.
    """
    if not ds.conflicts:
        return _insert(conn, ds)
    try:
        with conn.transaction():
            counts = _insert(conn, ds)
            for conflict in ds.conflicts:
                stage = next(s for s in ds.stages if s.name == conflict.stage)
                if counts.get(conflict.table, 0) != conflict.distinct_keys(
                    buffers[stage.name], stage.column_names, dropped
                ):
                    raise _SomeStoredBefore
            return counts
    except _SomeStoredBefore:
        return None


def _stored_conflicts(conn: psycopg.Connection[Any], ds: Dataset) -> list[Reject]:
    return [Reject(line, where, reason, key) for c in ds.conflicts for line, where, reason, key in c.stored(conn)]


def _run_checks(
    conn: psycopg.Connection[Any], ds: Dataset, options: Validation, buffers: dict[str, list[tuple[Any, ...]]]
) -> list[Reject]:
    """Rejects the stage alone can tell: implausible times, unknown references, ids repeated in the batch."""
    found: list[Reject] = []
    for stage in ds.stages:
        for column in (c for c, kind in stage.columns if kind == "timestamptz"):
            reason = plausible_range(options)
            for line, value in conn.execute(
                f"SELECT line, {column}::text FROM {stage.name} WHERE {column} < %s OR {column} > %s",
                (EARLIEST, options.latest),
            ):
                found.append(Reject(line, column, f"{reason}: {value}", value))
    for check in ds.checks:
        for line, value in conn.execute(check.sql):
            found.append(Reject(line, check.field, check.reason, value))
    stages = {s.name: s for s in ds.stages}
    for conflict in ds.conflicts:
        staged, names = buffers[conflict.stage], stages[conflict.stage].column_names
        found.extend(
            Reject(line, where, reason, key) for line, where, reason, key in conflict.repeated(conn, staged, names)
        )
    return found


def ingest_file(
    conn: psycopg.Connection[Any],
    name: str,
    path: Path,
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    options: Validation | None = None,
) -> LoadResult:
    """Ingest one file into the bound tenant and audit it; strict mode writes nothing on any bad row.

    A file without a single row is an error, not a quiet success.
    """
    ds = dataset(name)
    options = options or Validation()
    try:
        rows = validate(ds, read_rows(path), options)
        result = load_rows(conn, ds, rows, strict=strict, progress=progress, options=options)
    except _StrictRollback as rollback:
        result = rollback.result
    result.warnings.update(options.warnings)
    if result.read == 0:
        raise IngestError(f"{path}: no rows to ingest (the file is empty or holds only a header)")
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
            "warnings": dict(result.warnings),
        },
    )
    return result


def write_rejects(path: Path, rejects: list[Reject]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rejects:
            fh.write(json.dumps({"line": r.line, "field": r.field, "reason": r.reason, "value": r.value}) + "\n")
