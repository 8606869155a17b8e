"""Typed fact lookup for the Copywriter: the tenant's customer-facing facts a need may use, with cited chunks.

Facts come from the fact store (extracted at ingest). Retrieved chunks of documents the store holds no facts
for (a knowledge base ingested before the fact store, or evidence handed in by a caller) are read by the same
extractor, so every fact the Copywriter weighs is typed and cites a chunk it can show the guardrails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.knowledge import fact_store
from hyperjourney.knowledge.chunking import Chunk
from hyperjourney.knowledge.fact_choice import Need, kinds_for
from hyperjourney.knowledge.fact_store import FactFilter, FactWithSource
from hyperjourney.knowledge.readers import ParsedDocument


class Passage(BaseModel):
    """A retrieved chunk by its citation id ("<document_id>#<chunk_index>")."""

    citation_id: str
    title: str = ""
    doc_type: str = ""
    text: str = ""


class FactsInput(BaseModel):
    need: Need
    passages: list[Passage] = Field(default_factory=list, description="Retrieved chunks the need came with")


class FactsOutput(BaseModel):
    facts: list[FactWithSource]


def find_facts(db: Database, tenant: str, inp: FactsInput) -> FactsOutput:
    """Customer-facing facts of the kinds the need's role or intent wants, about its product lines or none,
    in its language or English; plus facts read from passages whose documents the store has none for."""
    kinds = list(kinds_for(inp.need))
    if not kinds:
        return FactsOutput(facts=[])
    flt = FactFilter(
        kinds=kinds,
        audience="customer",
        products=inp.need.products or None,
        languages=list(dict.fromkeys([inp.need.language, "en"])),
    )
    with db.tenant(tenant) as conn:
        stored = fact_store.facts_with_sources(conn, flt)
        known = {r[0] for r in conn.execute("SELECT DISTINCT document_id FROM kb_facts")}
    return FactsOutput(facts=stored + _from_passages([p for p in inp.passages if _doc(p) not in known], kinds))


def _doc(passage: Passage) -> str:
    return passage.citation_id.rsplit("#", 1)[0]


def _from_passages(passages: list[Passage], kinds: list[str]) -> list[FactWithSource]:
    from hyperjourney.knowledge.fact_extract import extract_facts

    out: list[FactWithSource] = []
    for p in passages:
        index = p.citation_id.rsplit("#", 1)[-1]
        chunk = Chunk(index=int(index) if re.fullmatch(r"\d+", index) else 0, section=p.title, text=p.text,
                      content_hash="")  # fmt: skip
        doc = ParsedDocument(
            document_id=_doc(p), source=p.citation_id, doc_type=p.doc_type or "document", title=p.title or _doc(p),
            updated_at=datetime.now(UTC), body=p.text, content_hash="",
        )  # fmt: skip
        out += [FactWithSource(fact=f, chunk_text=p.text) for f in extract_facts(doc, [chunk]) if f.kind in kinds]
    return out
