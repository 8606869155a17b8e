"""The knowledge chunks an asset cites, read back by citation id (``<document_id>#<chunk_index>``) in the
caller's tenant transaction: what a launch renders and checks claims against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from hyperjourney.guardrails.models import Evidence


def cited_evidence(conn: psycopg.Connection[Any], citation_ids: Iterable[str]) -> list[Evidence]:
    """Evidence for each id that names a stored chunk; ids that do not are left out (the check reports them)."""
    keys: list[tuple[str, int]] = []
    for cid in dict.fromkeys(citation_ids):
        document_id, _, index = cid.rpartition("#")
        if document_id and index.isdigit():
            keys.append((document_id, int(index)))
    if not keys:
        return []
    rows = conn.execute(
        "SELECT c.document_id, c.chunk_index, c.title, c.text FROM kb_chunks c "
        "JOIN unnest(%s::text[], %s::int[]) AS k(document_id, chunk_index) USING (document_id, chunk_index)",
        ([d for d, _ in keys], [i for _, i in keys]),
    ).fetchall()
    return [Evidence(citation_id=f"{d}#{i}", title=str(t), text=str(x)) for d, i, t, x in rows]
