"""The one chunk an "inspect evidence" click opens: its title, section, text and citation id.

A citation id is ``<document_id>#<chunk_index>``; the chunk is read from the tenant's knowledge base so the
panel shows its section too, and falls back to the text the run carried when the chunk has since been
re-ingested away.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from hyperjourney.api.runs_service import EvidenceView
from hyperjourney.db.database import Database

_CITATION = re.compile(r"^(?P<document>.+)#(?P<chunk>\d+)$")


class CitedChunk(BaseModel):
    citation_id: str
    title: str
    section: str
    text: str


def cited_chunk(db: Database, tenant: str, carried: EvidenceView) -> CitedChunk:
    """The stored chunk behind a citation the run used (RLS keeps it to the tenant)."""
    found = _CITATION.match(carried.citation_id)
    row = None
    if found is not None:
        with db.tenant(tenant) as conn:
            row = conn.execute(
                "SELECT title, section, text FROM kb_chunks WHERE document_id = %s AND chunk_index = %s",
                (found["document"], int(found["chunk"])),
            ).fetchone()
    if row is None:
        return CitedChunk(citation_id=carried.citation_id, title=carried.title, section="", text=carried.text)
    return CitedChunk(citation_id=carried.citation_id, title=str(row[0]), section=str(row[1]), text=str(row[2]))


def panel_markdown(chunk: CitedChunk) -> str:
    section = f"*{chunk.section}*\n\n" if chunk.section and chunk.section != chunk.title else ""
    return f"### {chunk.title}\n\n{section}{chunk.text}\n\n---\nCitation `{chunk.citation_id}`"
