"""Read CSV, JSONL and Parquet files as (line, dict) pairs, so every error can name its line."""

from __future__ import annotations

import codecs
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


class _LineSource:
    """Decoded lines of a CSV file for the csv parser, each remembered per row and able to be read again.

    Each line is decoded on its own, so a byte that is not UTF-8 spoils only the row that holds it (the
    line keeps its place, the bad byte replaced, so quoting stays in step); lines the parser consumed
    for a row it then refuses can be pushed back and parsed again as rows of their own.
    """

    def __init__(self, raw: Iterator[bytes]) -> None:
        self._raw = raw
        self._offset = 0
        self._pushed: list[tuple[int, str]] = []
        self._row: list[tuple[int, str]] = []
        self.last_number = 0
        self.bad_bytes: dict[int, int] = {}
        """line number -> absolute byte offset of its first byte that is not UTF-8"""

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        if self._pushed:
            number, text = self._pushed.pop()
        else:
            data = next(self._raw)
            self.last_number += 1
            number, start = self.last_number, self._offset
            self._offset += len(data)
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data, start = data[len(codecs.BOM_UTF8) :], start + len(codecs.BOM_UTF8)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad_bytes[number] = start + exc.start
                text = data.decode("utf-8", errors="replace")
        self._row.append((number, text))
        return text

    def start_row(self) -> None:
        self._row = []

    def row_lines(self) -> list[tuple[int, str]]:
        """The (number, text) lines consumed since ``start_row``, in order."""
        return self._row

    def push_back(self, lines: list[tuple[int, str]]) -> None:
        self._pushed.extend(reversed(lines))


def _read_csv(path: Path) -> Iterator[tuple[int, Record]]:
    """Rows of a CSV file; a row the parser refuses is a reject for its first line, and reading goes on.

    The dialect is strict, so a quote that never closes is an error rather than a field that silently
    swallows the following lines; the lines after the row's first are then parsed again as rows.
    """
    with path.open("rb") as fh:
        lines = _LineSource(fh)
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise UnreadableFileError(f"{path}: the file is empty (no header, no rows)") from None
        except csv.Error as exc:
            raise UnreadableFileError(f"{path}: cannot read the CSV header: {exc}") from exc
        if lines.bad_bytes:
            offset = next(iter(lines.bad_bytes.values()))
            raise UnreadableFileError(f"{path}: the CSV header is not valid UTF-8 (byte offset {offset})")
        header = [h.strip() for h in header]
        while True:
            lines.start_row()
            try:
                values: list[str] | None = next(reader)
                problem = None
            except StopIteration:
                return
            except csv.Error as exc:
                values, problem = None, str(exc)
            taken = lines.row_lines()
            first = taken[0][0] if taken else lines.last_number
            if values == []:
                continue
            if values is not None and len(values) != len(header):
                problem = f"expected {len(header)} columns, found {len(values)}"
            if problem is not None and len(taken) > 1:
                lines.push_back(taken[1:])
                yield (
                    first,
                    (
                        "malformed quoting: a quoted field opened on this line does not close where it should "
                        f"({problem}); the {len(taken) - 1} line(s) after it are read again as rows"
                    ),
                )
                continue
            bad = [lines.bad_bytes[n] for n, _ in taken if n in lines.bad_bytes]
            if bad:
                yield first, f"not valid UTF-8: first bad byte at offset {bad[0]} of the file"
                continue
            if values is None:
                yield first, f"unreadable CSV: {problem}"
                continue
            if problem is not None:
                yield first, problem
                continue
            yield first, {k: v for k, v in zip(header, values, strict=True) if v.strip()}


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
