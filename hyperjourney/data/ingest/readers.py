"""Read CSV, JSONL and Parquet files as (line, dict) pairs, so every error can name its line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


class UnreadableFileError(ValueError):
    pass


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFileError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; use one of {', '.join(sorted(FORMATS))}"
        )
    return fmt


def count_rows(path: Path) -> int:
    """Rows to expect, for the progress bar (cheap: no parsing)."""
    fmt = file_format(path)
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as fh:
        lines = sum(1 for _ in fh)
    return max(lines - 1, 0) if fmt == "csv" else lines


Record = dict[str, Any] | bytes | str
"""A parsed row (dict), a raw JSON line left for pydantic to parse (bytes), or why the row is unreadable (str)."""


def read_rows(path: Path) -> Iterator[tuple[int, Record]]:
    """Yield (line number, record); blank CSV cells are left out, so the field's default applies."""
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    fmt = file_format(path)
    if fmt == "csv":
        yield from _read_csv(path)
    elif fmt == "jsonl":
        yield from _read_jsonl(path)
    else:
        yield from _read_parquet(path)


def _read_csv(path: Path) -> Iterator[tuple[int, Record]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnreadableFileError(f"{path}: cannot read CSV header: {exc}") from exc
        header = [h.strip() for h in header]
        line = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                yield line + 1, f"unreadable CSV: {exc}"
                return
            start, line = line + 1, reader.line_num
            if not values:
                continue
            if len(values) != len(header):
                yield start, f"expected {len(header)} columns, found {len(values)}"
                continue
            yield start, {k: v for k, v in zip(header, values, strict=True) if v.strip()}


def _read_jsonl(path: Path) -> Iterator[tuple[int, Record]]:
    """Lines stay raw: pydantic parses and validates JSON in one pass, much faster than json.loads first."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                yield number, raw


def _read_parquet(path: Path) -> Iterator[tuple[int, Record]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise UnreadableFileError(f"{path}: not a readable Parquet file: {exc}") from exc
    number = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for record in batch.to_pylist():
            number += 1
            yield number, {k: v for k, v in record.items() if v is not None}
