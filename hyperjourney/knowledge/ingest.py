"""Incremental ingestion of a knowledge folder (or one file) into the tenant's knowledge tables.

Three stages: read, chunk and extract typed facts from every file (the extractor runs as a llama-index
``IngestionPipeline``, see fact_extract); embed the chunk texts not yet in the tenant's embedding cache
(batched across documents, so re-ingesting unchanged text embeds nothing); then write each document in its
own transaction, with its facts (so a document's facts always match its chunks). A file that fails to read,
chunk, extract or embed is reported and leaves that document's previous chunks and facts untouched. Files
gone from an ingested folder are deleted; documents embedded by another model than the configured one are
re-embedded. Every change bumps the tenant's knowledge version (invalidating cached retrievals) and is
audited in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.knowledge import fact_store, store
from hyperjourney.knowledge.chunking import Chunk, chunk_markdown, embedding_text
from hyperjourney.knowledge.embedder import Embedder, embed_cached, from_settings
from hyperjourney.knowledge.facts import Fact
from hyperjourney.knowledge.models import DocumentOutcome, IngestReport, KnowledgeError
from hyperjourney.knowledge.readers import ParsedDocument, UnreadableDocumentError, read_document, supported
from hyperjourney.settings import get_settings

Progress = Callable[[str, int, int], None]
"""Called as work advances with (stage, done, total); stages are 'reading', 'embedding', 'writing'."""


class _Pending(BaseModel):
    doc: ParsedDocument
    chunks: list[Chunk]
    status: str  # added | changed
    facts: list[Fact] = Field(default_factory=list)


def discover(path: Path) -> tuple[Path, list[Path]]:
    """The root that document ids are relative to, and the supported files under ``path`` in a stable order."""
    if not path.exists():
        raise KnowledgeError(f"{path}: no such file or folder")
    if path.is_file():
        if not supported(path):
            raise UnreadableDocumentError(f"{path}: unsupported file type {path.suffix!r}")
        return path.parent, [path]
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and supported(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    return path, files


def ingest_path(
    db: Database,
    tenant: str,
    path: Path | str,
    *,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    delete_missing: bool = True,
) -> IngestReport:
    """Bring the tenant's knowledge base in line with ``path``; safe to run again (unchanged files embed nothing).

    ``delete_missing`` removes documents previously ingested from this folder whose files are gone.
    """
    started = time.perf_counter()
    target = Path(path).expanduser()
    root, files = discover(target)
    embedder = embedder or from_settings(get_settings())
    report = IngestReport(path=target)
    with db.tenant(tenant) as conn:
        stored = store.stored_documents(conn)
    pending, seen_sources, seen_ids = _read_all(db, tenant, files, root, stored, embedder.name, report, progress)
    pending = _extract(pending, report)
    vectors = _embed(db, tenant, pending, embedder, report, progress)
    for n, item in enumerate(pending, 1):
        _write(db, tenant, item, vectors, embedder.name, report)
        if progress:
            progress("writing", n, len(pending))
    if delete_missing and target.is_dir():
        prefix = str(root.resolve()).rstrip("/") + "/"
        for doc in stored.values():
            if doc.source.startswith(prefix) and doc.source not in seen_sources and doc.document_id not in seen_ids:
                _delete(db, tenant, doc, report)
    with db.tenant(tenant) as conn:
        report.kb_version = store.kb_version(conn)
    report.seconds = time.perf_counter() - started
    return report


def _read_all(
    db: Database,
    tenant: str,
    files: list[Path],
    root: Path,
    stored: dict[str, store.StoredDocument],
    model: str,
    report: IngestReport,
    progress: Progress | None,
) -> tuple[list[_Pending], set[str], set[str]]:
    pending: list[_Pending] = []
    seen_sources: set[str] = set()
    seen_ids: dict[str, str] = {}
    for n, file in enumerate(files, 1):
        source = str(file.resolve())
        seen_sources.add(source)
        doc: ParsedDocument | None = None
        try:
            doc = read_document(file, root)
            if doc.document_id in seen_ids:
                raise KnowledgeError(
                    f"{file}: document id {doc.document_id!r} is already used by {seen_ids[doc.document_id]}"
                )
            seen_ids[doc.document_id] = source
            previous = stored.get(doc.document_id)
            same_model = previous is not None and previous.embedding_model == model
            if previous is not None and same_model and previous.content_hash == doc.content_hash:
                if previous.source != source:
                    with db.tenant(tenant) as conn:
                        store.move_source(conn, doc.document_id, source)
                report.unchanged += 1
                report.documents.append(DocumentOutcome(source=source, document_id=doc.document_id, status="unchanged"))
            else:
                chunks = chunk_markdown(doc.title, doc.body)
                if not chunks:
                    raise UnreadableDocumentError(f"{file}: no text to index")
                pending.append(_Pending(doc=doc, chunks=chunks, status="changed" if previous else "added"))
        except (KnowledgeError, OSError) as exc:
            _fail(report, source, doc.document_id if doc else None, exc)
        if progress:
            progress("reading", n, len(files))
    return pending, seen_sources, set(seen_ids)


def _extract(pending: list[_Pending], report: IngestReport) -> list[_Pending]:
    """Typed facts of every pending document; a document whose facts fail is reported and not written."""
    from hyperjourney.knowledge.fact_extract import extract_all

    extracted = extract_all([(p.doc, p.chunks) for p in pending])
    kept: list[_Pending] = []
    for item in pending:
        facts = extracted[item.doc.document_id]
        if isinstance(facts, str):
            _fail(report, item.doc.source, item.doc.document_id, KnowledgeError(f"{item.doc.source}: facts: {facts}"))
            continue
        item.facts = facts
        kept.append(item)
    return kept


def _embed(
    db: Database,
    tenant: str,
    pending: list[_Pending],
    embedder: Embedder,
    report: IngestReport,
    progress: Progress | None,
) -> dict[str, str]:
    texts = {c.content_hash: embedding_text(p.doc.title, c.section, c.text) for p in pending for c in p.chunks}
    if not texts:
        return {}
    try:
        with db.tenant(tenant) as conn:
            vectors, embedded = embed_cached(
                conn, embedder, texts, progress=(lambda d, t: progress("embedding", d, t)) if progress else None
            )
    except KnowledgeError as exc:
        for item in pending:
            _fail(report, item.doc.source, item.doc.document_id, exc)
        pending.clear()
        return {}
    report.embedded += embedded
    report.cached += sum(len(p.chunks) for p in pending) - embedded
    return vectors


def _write(
    db: Database, tenant: str, item: _Pending, vectors: dict[str, str], model: str, report: IngestReport
) -> None:
    doc = item.doc
    try:
        with db.tenant(tenant) as conn:
            store.replace_document(conn, doc, item.chunks, [vectors[c.content_hash] for c in item.chunks], model)
            fact_store.replace_facts(conn, doc.document_id, item.facts)
            store.bump_version(conn)
            audit.append(
                conn,
                actor="kb",
                action=f"kb_document_{item.status}",
                entity=doc.document_id,
                payload={
                    "chunks": len(item.chunks),
                    "facts": len(item.facts),
                    "content_hash": doc.content_hash,
                    "version": doc.version,
                },
            )
    except (KnowledgeError, KeyError) as exc:
        _fail(report, doc.source, doc.document_id, exc)
        return
    report.chunks_written += len(item.chunks)
    report.facts_written += len(item.facts)
    if item.status == "added":
        report.added += 1
    else:
        report.changed += 1
    report.documents.append(
        DocumentOutcome(
            source=doc.source,
            document_id=doc.document_id,
            status=item.status,
            chunks=len(item.chunks),
            facts=len(item.facts),
        )
    )


def _delete(db: Database, tenant: str, doc: store.StoredDocument, report: IngestReport) -> None:
    with db.tenant(tenant) as conn:
        chunks = store.delete_document(conn, doc.document_id)
        store.bump_version(conn)
        audit.append(conn, actor="kb", action="kb_document_delete", entity=doc.document_id, payload={"chunks": chunks})
    report.deleted += 1
    report.documents.append(DocumentOutcome(source=doc.source, document_id=doc.document_id, status="deleted"))


def _fail(report: IngestReport, source: str, document_id: str | None, exc: BaseException) -> None:
    report.failed += 1
    report.documents.append(DocumentOutcome(source=source, document_id=document_id, status="failed", error=str(exc)))
