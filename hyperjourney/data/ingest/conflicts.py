"""Rows whose id is already taken by different content: a reject naming both values, never "already stored".

An identical row (same id, same content) stays an idempotent no-op; a row that reuses an id for
something else is refused, whether the id was stored before or used earlier in the same load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import psycopg


@dataclass(frozen=True)
class Conflict:
    """``key`` identifies a row of ``table``; ``columns`` are what must match for a repeat to be a no-op."""

    stage: str
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def field(self) -> str:
        return ", ".join(self.key)

    def _key_text(self, alias: str) -> str:
        return " || '/' || ".join(f"{alias}.{k}::text" for k in self.key)

    def _values(self, alias: str) -> str:
        return "ARRAY[" + ", ".join(f"{alias}.{c}::text" for c in self.columns) + "]"

    def _row(self, alias: str) -> str:
        return "(" + ", ".join(f"{alias}.{c}" for c in self.columns) + ")"

    def stored_sql(self) -> str:
        """One index probe per staged row (a join would hash the whole stored table on every batch)."""
        match = " AND ".join(f"t.{k} = s.{k}" for k in self.key)
        columns = ", ".join(self.columns)
        return (
            f"SELECT s.line, {self._key_text('s')}, {self._values('t')}, {self._values('s')} "
            f"FROM {self.stage} s CROSS JOIN LATERAL (SELECT {columns} FROM {self.table} t WHERE {match} LIMIT 1) t "
            f"WHERE {self._row('t')} IS DISTINCT FROM {self._row('s')}"
        )

    def repeated_sql(self) -> str:
        keys = ", ".join(self.key)
        return (
            f"SELECT line, key, first_line, first_values, vals FROM ("
            f"SELECT s.line, {self._key_text('s')} AS key, {self._values('s')} AS vals, "
            f"first_value(s.line) OVER w AS first_line, first_value({self._values('s')}) OVER w AS first_values "
            f"FROM {self.stage} s WHERE ({keys}) IN "
            f"(SELECT {keys} FROM {self.stage} GROUP BY {keys} HAVING count(*) > 1) "
            f"WINDOW w AS (PARTITION BY {keys} ORDER BY s.line)) x "
            f"WHERE line <> first_line AND vals IS DISTINCT FROM first_values"
        )

    def stored(self, conn: psycopg.Connection[Any]) -> Iterator[tuple[int, str, str, str]]:
        """(line, field, reason, key) for every staged row whose id is stored with other content."""
        for line, key, stored, new in conn.execute(self.stored_sql()):
            reason = f"id already stored with different content: {key!r}: {self._differences(stored, new, 'stored')}"
            yield line, self.field, reason, key

    def repeated(
        self, conn: psycopg.Connection[Any], staged: list[tuple[Any, ...]], names: list[str]
    ) -> Iterator[tuple[int, str, str, str]]:
        """The same for a row that reuses an id of an earlier row of the batch (``staged``, columns ``names``)."""
        if len(set(map(self._key_of(names), staged))) == len(staged):
            return  # no id twice in this batch (the usual case): skip the query
        for line, key, first_line, first, new in conn.execute(self.repeated_sql()):
            there = f"line {first_line}"
            reason = f"id repeated in the file with different content: {key!r} is on {there} with "
            yield line, self.field, reason + self._differences(first, new, there), key

    def distinct_keys(self, staged: list[tuple[Any, ...]], names: list[str], dropped: set[int]) -> int:
        """How many rows an insert of the batch adds if every id is new (rows in ``dropped`` left out)."""
        key_of = self._key_of(names)
        if not dropped:
            return len(set(map(key_of, staged)))
        return len({key_of(t) for t in staged if t[0] not in dropped})

    def _key_of(self, names: list[str]) -> Callable[[tuple[Any, ...]], Any]:
        return itemgetter(*(names.index(k) for k in self.key))

    def _differences(self, old: list[str | None], new: list[str | None], there: str) -> str:
        changed = [
            f"{column} {_shown(a)} ({there}) vs {_shown(b)} (here)"
            for column, a, b in zip(self.columns, old, new, strict=True)
            if a != b
        ]
        return "; ".join(changed[:3]) + ("; …" if len(changed) > 3 else "")


def _shown(value: str | None) -> str:
    if value is None:
        return "empty"
    return repr(value if len(value) <= 60 else value[:57] + "...")
