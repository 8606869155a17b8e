"""Read one knowledge file (markdown, text, HTML, PDF) into a document with metadata and a markdown body.

Markdown may open with a YAML front matter block (id, type, title, region, language, audience, updated_at,
version); HTML takes the same keys from ``<meta name=...>`` and ``<html lang>``; missing values are inferred
from the file name and modification time. The audience (who may be shown the text: ``customer`` or
``internal``) is the front matter's, else ``internal`` for a file under a folder named ``internal`` or of an
internal type (brand, legal: style guides and claim rules), else ``customer``. HTML headings become
markdown headings so chunking respects them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, Field

from hyperjourney.knowledge.models import KnowledgeError

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf"}
READER_VERSION = "3"
"""Bump when reading or chunking changes, so the next ingest re-chunks documents whose files did not change."""
_TYPE_PREFIXES = {
    "faq": "faq",
    "case-study": "case_study",
    "product": "product",
    "pricing": "pricing",
    "brand": "brand",
    "policy": "policy",
    "legal": "legal",
    "returns": "policy",
}
Audience = Literal["customer", "internal"]
AUDIENCES: tuple[str, ...] = get_args(Audience)
INTERNAL_TYPES = frozenset({"brand", "legal"})
"""Document types written for staff (tone and brand guides, claim rules), internal unless marked otherwise."""
INTERNAL_FOLDER = "internal"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


class UnreadableDocumentError(KnowledgeError):
    """A knowledge file that cannot be read or parsed; the message names the file and the reason."""


class ParsedDocument(BaseModel):
    document_id: str
    source: str
    doc_type: str
    title: str
    region: str = "global"
    language: str = "en"
    audience: Audience = "customer"
    version: int = Field(1, ge=1)
    updated_at: datetime
    body: str
    content_hash: str


def pipeline_version() -> str:
    from hyperjourney.knowledge import chunking
    from hyperjourney.knowledge.facts import EXTRACTOR_VERSION

    sizes = f"{chunking.CHUNK_TOKENS}:{chunking.OVERLAP_TOKENS}:{chunking.MIN_BODY_TOKENS}"
    return f"{READER_VERSION}:{sizes}:facts{EXTRACTOR_VERSION}"


def supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_document(path: Path, root: Path) -> ParsedDocument:
    """Parse ``path``; ``root`` (the ingested folder) makes default document ids stable across machines."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UnreadableDocumentError(f"{path}: unsupported file type {path.suffix!r} (use {', '.join(SUFFIXES)})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocumentError(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    if kind == "pdf":
        meta, body = _read_pdf(path, raw)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableDocumentError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
        if "\x00" in text:
            raise UnreadableDocumentError(f"{path}: contains NUL bytes; not a text document")
        meta, body = _read_html(text) if kind == "html" else _read_text(path, text, markdown=kind == "markdown")
    if not body.strip():
        raise UnreadableDocumentError(f"{path}: no text to index")
    return _document(path, root, meta, body, hashlib.sha256(pipeline_version().encode() + raw).hexdigest())


def _document(path: Path, root: Path, meta: dict[str, Any], body: str, digest: str) -> ParsedDocument:
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    default_id = re.sub(r"[^a-z0-9]+", "-", str(relative.with_suffix("")).lower()).strip("-")
    title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").replace("_", " ").title())
    doc_type = str(meta.get("type") or _infer_type(path.stem))
    try:
        updated = _timestamp(meta.get("updated_at")) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return ParsedDocument(
            document_id=str(meta.get("id") or default_id),
            source=str(path.resolve()),
            doc_type=doc_type,
            audience=_audience(path, meta.get("audience"), relative, doc_type),
            title=title.strip(),
            region=str(meta.get("region") or "global").lower(),
            language=str(meta.get("language") or "en").lower(),
            version=int(meta.get("version") or 1),
            updated_at=updated,
            body=body,
            content_hash=digest,
        )
    except (ValueError, TypeError) as exc:
        raise UnreadableDocumentError(f"{path}: bad metadata: {exc}") from exc


def _audience(path: Path, declared: Any, relative: Path, doc_type: str) -> Audience:
    if declared is not None and declared != "":
        value = str(declared).strip().lower()
        if value not in AUDIENCES:
            raise UnreadableDocumentError(f"{path}: audience must be one of {', '.join(AUDIENCES)}, got {declared!r}")
        return "customer" if value == "customer" else "internal"
    if INTERNAL_FOLDER in (part.lower() for part in relative.parts[:-1]) or doc_type in INTERNAL_TYPES:
        return "internal"
    return "customer"


def _timestamp(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _infer_type(stem: str) -> str:
    lowered = stem.lower()
    return next((t for prefix, t in _TYPE_PREFIXES.items() if lowered.startswith(prefix)), "document")


def _first_heading(body: str) -> str | None:
    match = re.search(r"^#{1,6}\s+(.+)$", body, re.MULTILINE)
    return match.group(1).strip() if match else None


def _read_text(path: Path, text: str, *, markdown: bool) -> tuple[dict[str, Any], str]:
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text) if markdown else None
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise UnreadableDocumentError(f"{path}: front matter is not valid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise UnreadableDocumentError(f"{path}: front matter must be a mapping of keys to values")
        meta = loaded
        text = text[match.end() :]
    if not markdown:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        meta.setdefault("title", first[:120])
    return meta, text


def _read_pdf(path: Path, raw: bytes) -> tuple[dict[str, Any], str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise UnreadableDocumentError(f"{path}: not a readable PDF ({exc})") from exc
    body = "\n\n".join(f"## Page {n}\n\n{text.strip()}" for n, text in enumerate(pages, 1) if text.strip())
    return ({"title": title} if title else {}), body


class _HtmlToMarkdown(HTMLParser):
    """Headings become ``#`` lines, blocks become paragraphs, list items bullets; scripts and styles are dropped."""

    BLOCKS = frozenset({"p", "div", "section", "article", "tr", "br", "table", "ul", "ol", "blockquote", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, Any] = {}
        self._skip = 0
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in {"script", "style", "noscript"}:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "html" and a.get("lang"):
            self.meta.setdefault("language", a["lang"].split("-")[0])
        elif tag == "meta" and a.get("name") in {
            "id",
            "type",
            "region",
            "language",
            "audience",
            "updated_at",
            "version",
        }:
            self.meta[a["name"]] = a.get("content", "")
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "noscript"}:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self._title.append(data)
            return
        self.parts.append(re.sub(r"\s+", " ", data))

    def markdown(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    @property
    def title(self) -> str:
        return " ".join("".join(self._title).split())


def _read_html(text: str) -> tuple[dict[str, Any], str]:
    parser = _HtmlToMarkdown()
    parser.feed(text)
    parser.close()
    meta = dict(parser.meta)
    if parser.title:
        meta.setdefault("title", parser.title)
    return meta, parser.markdown()
