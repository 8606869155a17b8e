"""The inspect-evidence panel shows the one cited chunk with its section, read from the tenant's knowledge base."""

from __future__ import annotations

from hyperjourney.api.runs_service import EvidenceView
from hyperjourney.db.database import Database
from hyperjourney.knowledge.models import IngestReport
from hyperjourney.ui.evidence import cited_chunk, panel_markdown


def test_the_cited_chunk_comes_with_its_section(db: Database, demo_kb: tuple[str, IngestReport], tenant: str) -> None:
    kb_tenant, _ = demo_kb
    with db.tenant(kb_tenant) as conn:
        doc, index, title, section, text = conn.execute(
            "SELECT document_id, chunk_index, title, section, text FROM kb_chunks "
            "WHERE section <> title ORDER BY document_id, chunk_index LIMIT 1"
        ).fetchone()
    carried = EvidenceView(citation_id=f"{doc}#{index}", title="as the run saw it", text="snippet only")
    chunk = cited_chunk(db, kb_tenant, carried)
    assert (chunk.title, chunk.section, chunk.text) == (title, section, text)
    shown = panel_markdown(chunk)
    assert shown.startswith(f"### {title}") and f"*{section}*" in shown and f"Citation `{doc}#{index}`" in shown

    elsewhere = cited_chunk(db, tenant, carried)
    assert (elsewhere.title, elsewhere.section, elsewhere.text) == ("as the run saw it", "", "snippet only")
