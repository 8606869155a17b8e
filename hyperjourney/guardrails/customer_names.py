"""Other customers' names in outbound copy: a reply to customer A must not name customer B.

A per-tenant index of customers' full names (first + last, as stored) is built once and cached in the
process; a counter that a trigger moves on every change to the tenant's customers (customer_names_version,
migration 0014) tells in one primary-key read whether the cached index is stale. Only full names count: a
first name alone ("Grace", "Will") is too often an ordinary word or the sender's to flag without noise.
The recipient's own name, and any name in the asset's recipient_pii, is always allowed.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import psycopg

from hyperjourney.db.database import Database

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-][^\W\d_])*")
MAX_NAME_WORDS = 5


def _fold(word: str) -> str:
    """Case- and accent-insensitive form: 'José' and 'jose' match."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode() or word
    folded = plain.casefold().replace("’", "'")
    return folded.removesuffix("'s") if len(folded) > 3 else folded


def name_key(name: str) -> tuple[str, ...]:
    return tuple(_fold(w) for w in _WORD.findall(name))


@dataclass(frozen=True)
class NameHit:
    name: str
    customer_ids: frozenset[str]


@dataclass
class NameIndex:
    """Full names of one tenant's customers: folded word tuples -> customer ids."""

    names: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    by_customer: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: int = 0

    @classmethod
    def build(cls, rows: list[tuple[str, str | None, str | None]], version: int = 0) -> NameIndex:
        index = cls(version=version)
        for customer_id, first, last in rows:
            key = name_key(f"{first or ''} {last or ''}")
            if len(key) < 2 or len(key) > MAX_NAME_WORDS or not first or not last:
                continue
            index.names.setdefault(key, set()).add(customer_id)
            index.by_customer[customer_id] = key
        return index

    def find(self, text: str, *, recipient_id: str | None = None, allowed: list[str] | None = None) -> list[NameHit]:
        """Full names of customers other than the recipient, as they appear in ``text`` (any case: stored
        names are not always capitalised)."""
        own = {name_key(a) for a in allowed or []}
        if recipient_id in self.by_customer:
            own.add(self.by_customer[recipient_id])
        words = list(_WORD.finditer(text))
        folded = [_fold(m.group()) for m in words]
        hits: list[NameHit] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 1, -1):
                key = tuple(folded[i : i + n])
                ids = self.names.get(key)
                if ids is None or _gap(text, words[i], words[i + n - 1], n):
                    continue
                others = ids - {recipient_id} if recipient_id else set(ids)
                if others and key not in own:
                    hits.append(NameHit(text[words[i].start() : words[i + n - 1].end()], frozenset(others)))
                i += n - 1
                break
            i += 1
        return hits


def _gap(text: str, first: re.Match[str], last: re.Match[str], n: int) -> bool:
    """True when the words are not one name: separated by more than single spaces (a line break, a comma)."""
    between = text[first.start() : last.end()]
    return len(re.findall(r"\s+", between)) != n - 1 or bool(re.search(r"[^\w\s'’-]|\n", between))


class NameIndexCache:
    """One index per tenant, rebuilt when the tenant's customers changed (one primary-key read per use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[str, NameIndex] = {}

    def get_in(self, conn: psycopg.Connection[Any], tenant: str) -> NameIndex:
        row = conn.execute("SELECT version FROM customer_names_version").fetchone()
        version = int(row[0]) if row else 0
        cached = self._indexes.get(tenant)
        if cached is not None and cached.version == version:
            return cached
        rows = conn.execute(
            "SELECT customer_id, first_name, last_name FROM customers "
            "WHERE first_name IS NOT NULL AND last_name IS NOT NULL AND merged_into IS NULL"
        ).fetchall()
        index = NameIndex.build(rows, version)
        with self._lock:
            self._indexes[tenant] = index
        return index

    def get(self, db: Database, tenant: str) -> NameIndex:
        with db.tenant(tenant) as conn:
            return self.get_in(conn, tenant)

    def clear(self) -> None:
        with self._lock:
            self._indexes.clear()


NAMES = NameIndexCache()
