"""Typed records of the knowledge layer: search filters and hits (the cross-part contract) and ingest reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class KnowledgeError(ValueError):
    """Bad input to the knowledge layer, explained for a person (a ValueError, so the CLI prints it)."""


class SearchFilters(BaseModel):
    """Optional narrowing of a search; unknown filter names are rejected, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_type: list[str] | None = Field(None, description="Document types, e.g. ['faq', 'case_study']")
    region: str | None = Field(None, description="Region, e.g. 'eu'; documents marked 'global' always match")
    language: str | None = Field(None, description="ISO language code, e.g. 'de'")
    max_age_days: int | None = Field(None, ge=0, description="Only documents updated within this many days")

    def cache_key(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self.doc_type)) if self.doc_type else None,
            self.region,
            self.language,
            self.max_age_days,
        )


class Hit(BaseModel):
    """One ranked chunk with a stable citation id ``<document_id>#<chunk_index>``."""

    citation_id: str
    document_id: str
    chunk_index: int
    title: str
    section: str
    doc_type: str
    region: str
    language: str
    audience: str = Field(description="'customer' or 'internal': who the document was written for")
    snippet: str
    text: str
    score: float
    updated_at: datetime
    keyword_rank: int | None = None
    vector_rank: int | None = None


class DocumentOutcome(BaseModel):
    source: str
    document_id: str | None
    status: str  # added | changed | unchanged | deleted | failed
    chunks: int = 0
    facts: int = 0
    error: str | None = None


class IngestReport(BaseModel):
    """What one ingest run did; re-ingesting an unchanged folder reports everything unchanged and embeds nothing."""

    path: Path
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    chunks_written: int = 0
    facts_written: int = 0
    embedded: int = 0
    cached: int = 0
    kb_version: int = 0
    seconds: float = 0.0
    documents: list[DocumentOutcome] = Field(default_factory=list)

    @property
    def errors(self) -> list[DocumentOutcome]:
        return [d for d in self.documents if d.status == "failed"]
