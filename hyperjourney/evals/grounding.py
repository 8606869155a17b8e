"""Groundedness of generated text against the evidence a run retrieved, via the guardrails' own citation check.

A claim sentence is grounded when every id it cites is in the run's evidence, every number it states appears in
the cited text, and the cited text shares enough of its words; that is exactly `guardrails.citations`, applied one
sentence at a time so the suite can report a share rather than a pass/fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import Connection
from pydantic import BaseModel

from hyperjourney.guardrails import records
from hyperjourney.guardrails.citations import check_citations, is_claim
from hyperjourney.guardrails.copy_text import sentences
from hyperjourney.guardrails.models import Asset, AssetKind, Evidence
from hyperjourney.guardrails.rules import demo_rules


class Grounding(BaseModel):
    claims: int
    grounded: int
    cited: int
    numbers_unsupported: int
    failures: list[str]
    claim_texts: list[str] = []  # the claim sentences without citation markers, what an LLM judge should read

    @property
    def share(self) -> float:
        """Share of claim sentences that are grounded; text without claims is fully grounded."""
        return self.grounded / self.claims if self.claims else 1.0

    @property
    def coverage(self) -> float:
        """Share of claim sentences that carry at least one citation."""
        return self.cited / self.claims if self.claims else 1.0


def evidence_texts(
    conn: Connection[Any], citation_ids: Iterable[str], customer_id: str | None = None
) -> list[Evidence]:
    """The chunk text behind each `<document_id>#<chunk>` id the tenant's knowledge base still holds, and the
    row behind each `record:` id of ``customer_id``'s own record (guardrails.records reads it)."""
    citation_ids = list(citation_ids)
    pairs: list[tuple[str, str, int]] = []
    for cid in set(citation_ids):
        doc, _, index = cid.rpartition("#")
        if doc and index.isdigit():
            pairs.append((cid, doc, int(index)))
    found: list[Evidence] = []
    for cid, doc, chunk in sorted(pairs):
        row = conn.execute(
            "SELECT text, title FROM kb_chunks WHERE document_id = %s AND chunk_index = %s", (doc, chunk)
        ).fetchone()
        if row is not None:
            found.append(Evidence(citation_id=cid, text=str(row[0]), title=str(row[1])))
    return found + records.resolve(conn, [c for c in citation_ids if records.is_record(c)], customer_id)


def grade(body: str, evidence: Sequence[Evidence], kind: AssetKind = "support_reply") -> Grounding:
    """Check each claim sentence (one that states a fact or cites something) on its own."""
    rules = demo_rules()
    claims = grounded = cited = unsupported = 0
    failures: list[str] = []
    texts: list[str] = []
    for s in sentences(body):
        if not s.citations and not is_claim(s.text):
            continue
        problems = check_citations(Asset(kind=kind, body=s.raw, citations=list(s.citations)), evidence, rules)
        if not s.citations and not problems:
            continue  # required footer or disclaimer text: the check skips it, so it is not a claim
        claims += 1
        texts.append(s.text)
        cited += bool(s.citations)
        if problems:
            unsupported += any(p.code == "number_unsupported" for p in problems)
            failures.append(f"{problems[0].code}: {s.text[:120]}")
        else:
            grounded += 1
    return Grounding(
        claims=claims,
        grounded=grounded,
        cited=cited,
        numbers_unsupported=unsupported,
        failures=failures,
        claim_texts=texts,
    )
