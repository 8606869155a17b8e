"""Rules that read typed facts out of a document's structure: headings, paragraphs, lists and tables.

Case-study result bullets become results (subject, metric, before → after), a quoted paragraph with its
attribution line a quote, price tables and priced bullets pricing, FAQ sections answers with their steps,
sentences that bind a refund, return, cancellation, warranty, shipping or billing rule to a condition or a
time limit policies, and labelled bullets and non-price tables product attributes. Every fact's text is a
whole sentence that names its subject (table rows are rewritten, headings and pronoun-led sentences are never
quoted alone) and cites the chunk that states it. Runs as a llama-index ``TransformComponent`` inside an
``IngestionPipeline`` beside the chunker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from llama_index.core.schema import BaseNode, Document, TransformComponent
from pydantic import BaseModel, Field

from hyperjourney.knowledge.chunking import Chunk
from hyperjourney.knowledge.facts import (
    PRODUCT_PATTERNS,
    AttributeDetail,
    Detail,
    Fact,
    FaqDetail,
    PolicyDetail,
    PricingDetail,
    QuoteDetail,
    ResultDetail,
    intent_of,
    products_in,
    unresolved_pronoun,
)
from hyperjourney.knowledge.readers import ParsedDocument

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_LABEL = re.compile(r"^\*\*(.+?)\*\*:?\s*(.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“¿¡A-ZÄÖÜÉ0-9])")
_MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d+)?|\b(?:EUR|GBP|USD)\s?\d[\d,.]*|\d[\d,.]*\s?(?:EUR|GBP|USD|€))"
    r"(?:\s+per\s+(?:seat\s+per\s+)?\w+)?"
)
_DURATION = re.compile(
    r"\b\d+(?:-\d+)?\s*(?:business |calendar |working )?(?:hours?|days?|weeks?|months?|years?|Werktagen?|Tagen?"
    r"|Wochen|Monaten?|Jahren?|días(?: hábiles)?|semanas|meses|años|jours|mois|ans)\b",
    re.IGNORECASE,
)
_POLICY_TOPICS = {
    "refund": r"refund|reimburs|erstatt|reembols|rembours",
    "return": r"return|rücksend|widerruf|devoluci|devolver|retour",
    "cancel": r"cancel|kündig|cancela",
    "exchange": r"exchang|umtausch|cambi",
    "warranty": r"warrant|guarantee|garantie|gewährleist|garantía",
    "shipping": r"ship|deliver|parcel|versand|liefer|envío|entrega|livraison",
    "billing": r"charg|bill|invoice|pay|renew|rechnung|factur",
    "price": r"price|cost|fee|discount|preis|kosten|precio",
}
_CONDITION = re.compile(
    r"\b(?:if|unless|only|within|at least|must|provided|as long as|before|after|except|wenn|nur|innerhalb|si|solo"
    r"|dentro)\b[^,.;]*",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|never|cannot|can't|no|nicht|kein\w*|nunca|no se)\b", re.IGNORECASE)
_RESULT = re.compile(
    r"^(?P<verb>[A-Z]\w+)\s+(?P<metric>.+?)\s*(?:by\s+(?P<change>[\d.,]+\s?%)[,]?\s*)?"
    r"(?:from\s+(?:an average of\s+)?(?P<before>[$€£]?[\d.,]+%?)\s*(?P<unit1>[a-z ]*?)\s+to\s+"
    r"(?P<after>[$€£]?[\d.,]+%?)\s*(?P<unit>[^.]*?))?\.?$"
)
_PERIOD = re.compile(r"\b(?:within|in|after|over)\s+(?:the first\s+)?\d+\s+\w+", re.IGNORECASE)
_QUOTE_MARKS = '"“”„«»'


class Section(BaseModel):
    """One heading's own content: its paragraphs, bullet items and table rows, in order."""

    heading: str
    path: str
    level: int = Field(0, description="Heading level; 0 for text before the first heading")
    paragraphs: list[str] = Field(default_factory=list)
    bullets: list[str] = Field(default_factory=list)
    tables: list[list[list[str]]] = Field(default_factory=list, description="header row first")


def clean(text: str) -> str:
    """Markdown emphasis and links off, whitespace collapsed."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return " ".join(text.replace("**", "").replace("__", "").split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(clean(text)) if s.strip()]


def parse_sections(title: str, body: str) -> list[Section]:
    """The body as a list of sections; text before the first heading belongs to a section named by the title."""
    sections = [Section(heading=title, path=title)]
    path: list[tuple[int, str]] = []
    paragraph: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            sections[-1].paragraphs.append(" ".join(paragraph))
            paragraph.clear()
        if table:
            rows = [r for r in table if not all(re.fullmatch(r":?-{2,}:?", c) for c in r)]
            sections[-1].tables.append([list(r) for r in rows])
            table.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        heading = _HEADING.match(line)
        if heading:
            flush()
            level, text = len(heading.group(1)), clean(heading.group(2))
            path = [(lv, h) for lv, h in path if lv < level] + [(level, text)]
            sections.append(Section(heading=text, path=" > ".join(h for _, h in path), level=level))
        elif line.lstrip().startswith("|"):
            if paragraph:
                flush()
            table.append([clean(c) for c in line.strip().strip("|").split("|")])
        elif bullet := _BULLET.match(line):
            flush()
            sections[-1].bullets.append(bullet.group(1).strip())
        elif not line.strip():
            flush()
        else:
            if table:
                flush()
            paragraph.append(line.strip())
    flush()
    return [s for s in sections if s.paragraphs or s.bullets or s.tables]


def document_products(doc: ParsedDocument) -> list[str]:
    """The product lines a document is mainly about: each named at least a third as often as the most named."""
    low = f"{doc.title}\n{doc.body}".lower()
    counts = Counter({p: len(rx.findall(low)) for p, rx in PRODUCT_PATTERNS.items()})
    top = max(counts.values(), default=0)
    return [p for p, n in counts.items() if top and n * 3 >= top]


def _display(product: str) -> str:
    return f"Northwind {product.title()}"


class _Builder:
    """Accumulates one document's facts, locating the chunk each one cites."""

    def __init__(self, doc: ParsedDocument, chunks: Sequence[Chunk]) -> None:
        self.doc = doc
        self.chunks = [(c.index, c.section, " ".join(clean(c.text).split())) for c in chunks]
        self.doc_products = document_products(doc)
        self.facts: list[Fact] = []

    def chunk_for(self, anchor: str, section: Section) -> int:
        probe = clean(anchor)[:80]
        for index, _, text in self.chunks:
            if probe and probe in text:
                return index
        for index, name, _ in self.chunks:
            if name == section.path or name.endswith(section.heading):
                return index
        return self.chunks[0][0] if self.chunks else 0

    def products(self, text: str, section: Section) -> list[str]:
        return products_in(text) or products_in(section.heading) or self.doc_products

    def add(self, text: str, detail: Detail, section: Section, anchor: str, products: list[str] | None = None) -> None:
        text = clean(text)
        if not text or unresolved_pronoun(text):
            return
        self.facts.append(
            Fact(
                document_id=self.doc.document_id,
                fact_index=len(self.facts),
                chunk_index=self.chunk_for(anchor, section),
                kind=detail.kind,
                products=products if products is not None else self.products(text, section),
                title=self.doc.title,
                section=section.path,
                doc_type=self.doc.doc_type,
                region=self.doc.region,
                language=self.doc.language,
                audience=self.doc.audience,
                doc_version=self.doc.version,
                updated_at=self.doc.updated_at,
                text=text,
                detail=detail,
            )
        )


def extract_facts(doc: ParsedDocument, chunks: Sequence[Chunk]) -> list[Fact]:
    """Every typed fact of one document, in document order."""
    b = _Builder(doc, chunks)
    subject, industry = _subject(doc), _industry(doc)
    for section in parse_sections(doc.title, doc.body):
        _results(b, section, subject, industry)
        _quotes(b, section, industry)
        _tables(b, section)
        _labelled_bullets(b, section)
        _faq(b, section)
        _policies(b, section)
    return b.facts


def _industry(doc: ParsedDocument) -> str | None:
    """A case study's stated industry ("Industry: fintech (online lending).")."""
    match = re.search(r"\bIndustry:\s*([^.\n]+)", doc.body)
    return match.group(1).strip() if match else None


def _subject(doc: ParsedDocument) -> str:
    """Who a case study is about: the leading capitalised words of its first heading ("Lumen and Oak Studio")."""
    match = re.search(r"^#{1,2}\s+(.+)$", doc.body, re.MULTILINE) if doc.doc_type == "case_study" else None
    words = (clean(match.group(1)) if match else doc.title).split()
    out: list[str] = []
    for w in words:
        if w[:1].isupper() or (out and w.lower() in {"and", "of", "&"}):
            out.append(w)
        else:
            break
    while out and out[-1].lower() in {"and", "of", "&"}:
        out.pop()
    return " ".join(out) or doc.title


def _results(b: _Builder, section: Section, subject: str, industry: str | None) -> None:
    if b.doc.doc_type != "case_study" or section.heading.lower() not in {
        "results",
        "result",
        "ergebnisse",
        "resultados",
    }:
        return
    lead = next((p for p in section.paragraphs if p.rstrip().endswith(":")), "")
    period_match = _PERIOD.search(lead)
    for item in section.bullets:
        line = clean(item)
        if not re.search(r"\d", line):
            continue
        m = _RESULT.match(line)
        verb, metric = (m.group("verb"), m.group("metric")) if m else (line.split()[0], " ".join(line.split()[1:4]))
        detail = ResultDetail(
            subject=subject,
            industry=industry,
            metric=metric.strip(" ,"),
            before=m.group("before") if m else None,
            after=m.group("after") if m else None,
            change=(m.group("change") or "").replace(" ", "") or None if m else None,
            unit=((m.group("unit") or m.group("unit1") or "").strip() or None) if m else None,
            period=period_match.group(0) if period_match else None,
        )
        text = f"{subject} {verb[0].lower()}{verb[1:]}{line[len(verb) :]}"
        b.add(text if text.endswith(".") else f"{text}.", detail, section, item)


def _quotes(b: _Builder, section: Section, industry: str | None) -> None:
    paras = section.paragraphs
    for i, para in enumerate(paras):
        text = clean(para)
        if text[:1] not in _QUOTE_MARKS or i + 1 >= len(paras):
            continue
        who = clean(paras[i + 1])
        if len(who) > 120 or who[:1] in _QUOTE_MARKS:
            continue
        words = text.strip(_QUOTE_MARKS + " ")
        b.add(f"{who.split(',')[0]}: “{words}”", QuoteDetail(who=who, text=words, industry=industry), section, para)


def _tables(b: _Builder, section: Section) -> None:
    for table in section.tables:
        if len(table) < 2:
            continue
        header, rows = table[0], table[1:]
        priced = [i for i, h in enumerate(header) if re.search(r"price|preis|precio|prix|cost", h, re.IGNORECASE)]
        product = (products_in(section.heading) or b.doc_products or [""])[0]
        for row in rows:
            cells = dict(zip(header, row, strict=False))
            name = row[0]
            if priced and b.doc.doc_type == "pricing" and any(_MONEY.search(row[i]) for i in priced if i < len(row)):
                monthly = row[priced[0]] if priced[0] < len(row) else ""
                annual = row[priced[1]] if len(priced) > 1 and priced[1] < len(row) else None
                limit_col = next((i for i, h in enumerate(header) if "limit" in h.lower()), None)
                limits = [x.strip() for x in row[limit_col].split(",")] if limit_col is not None else []
                label = f"{_display(product)} {name}" if product else name
                text = f"{label} costs {monthly}" + (f", or {annual} with annual billing" if annual else "") + "."
                detail = PricingDetail(
                    product=_display(product) if product else b.doc.title, plan=name, price=monthly,
                    annual_price=annual, limits=limits,
                )  # fmt: skip
                b.add(text, detail, section, "| " + " | ".join(row[:2]), [product] if product else None)
            elif not priced:
                value = "; ".join(f"{h.lower()}: {v}" for h, v in list(cells.items())[1:] if v)
                target = _display(product) if product else b.doc.title
                detail_a = AttributeDetail(product=target, name=name, value=value)
                b.add(f"{section.heading} — {name}: {value}.", detail_a, section, "| " + " | ".join(row[:2]))


def _labelled_bullets(b: _Builder, section: Section) -> None:
    """``**Label:** value`` bullets: a price in the label is pricing; in product documents, an attribute."""
    if b.doc.doc_type not in {"product", "pricing"}:
        return
    for item in section.bullets:
        labelled = _LABEL.match(item.strip())
        line = clean(item)
        money = _MONEY.search(labelled.group(1) if labelled else line)
        product = (products_in(line) or products_in(section.heading) or b.doc_products or [""])[0]
        if money and (labelled or b.doc.doc_type == "pricing"):
            label = clean(labelled.group(1)).rstrip(":") if labelled else line.split(":")[0]
            plan = re.sub(r"\s*\(?[,]?\s*" + re.escape(money.group(0)) + r"\)?", "", label).strip(" ,:") or label
            text = line if line.endswith(".") else f"{line}."
            if labelled and not plan.lower().startswith("northwind") and product:
                text = f"{_display(product)} {text}"
            detail = PricingDetail(
                product=_display(product) if product else b.doc.title, plan=plan, price=money.group(0)
            )
            b.add(text, detail, section, item)
        if labelled and b.doc.doc_type == "product":
            name, value = clean(labelled.group(1)).rstrip(":"), clean(labelled.group(2))
            target = name if name.lower().startswith("northwind") else _display(product) if product else b.doc.title
            text = f"{name}: {value}" if target == name else f"{target} {name}: {value}"
            b.add(text, AttributeDetail(product=target, name=name, value=value), section, item)


def _steps(section: Section) -> list[str]:
    """The answer as steps: sentences and bullets; a pronoun-led sentence joins the one before it."""
    steps: list[str] = []
    for piece in [s for p in section.paragraphs for s in sentences(p)] + [clean(x) for x in section.bullets]:
        if steps and unresolved_pronoun(piece):
            steps[-1] = f"{steps[-1]} {piece}"
        else:
            steps.append(piece)
    steps = [re.sub(r"^(?:Yes|Ja|Sí|Oui),\s+(\w)", lambda m: m.group(1).upper(), s) for s in steps]
    return [s for s in steps if not s.endswith(":") and len(s.split()) > 3]


def _faq(b: _Builder, section: Section) -> None:
    if b.doc.doc_type != "faq" or section.level < 2:  # the H1 and its introduction ask no question
        return
    steps = _steps(section)
    if not steps:
        return
    question = section.heading
    detail = FaqDetail(question=question, intent=intent_of(f"{question} {steps[0]}"), answer_steps=steps)
    b.add(steps[0], detail, section, steps[0][:60], products_in(question) or products_in(steps[0]) or None)


def _policies(b: _Builder, section: Section) -> None:
    if b.doc.doc_type not in {"policy", "faq", "pricing", "legal", "brand"}:
        return
    for piece in [s for p in section.paragraphs for s in sentences(p)] + [clean(x) for x in section.bullets]:
        low = piece.lower()
        topic = next((t for t, rx in _POLICY_TOPICS.items() if re.search(rx, low)), None)
        limits = [m.group(0) for m in _DURATION.finditer(piece)]
        conditions = [m.group(0).strip() for m in _CONDITION.finditer(piece)]
        if topic is None or not (limits or conditions or _MONEY.search(piece)) or len(piece.split()) < 5:
            continue
        detail = PolicyDetail(
            rule=piece, topic=topic, conditions=conditions, region=b.doc.region, time_limits=limits,
            negated=bool(_NEGATED.search(piece)),
        )  # fmt: skip
        b.add(piece, detail, section, piece[:80])


class FactExtractor(TransformComponent):
    """llama-index transform: reads ``metadata['document']`` and ``metadata['chunks']`` of each node and adds
    ``metadata['facts']`` (excluded from embedding and LLM metadata, like the other two), or
    ``metadata['fact_error']`` when a document's facts do not validate."""

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        for node in nodes:
            try:
                node.metadata["facts"] = extract_facts(node.metadata["document"], node.metadata["chunks"])
            except ValueError as exc:  # one malformed document fails alone, with the reason
                node.metadata["facts"], node.metadata["fact_error"] = [], str(exc)
        return nodes


def extract_all(items: Sequence[tuple[ParsedDocument, list[Chunk]]]) -> dict[str, list[Fact] | str]:
    """Run the extractor over several documents as one llama-index ``IngestionPipeline`` pass: each document's
    facts, or the reason its facts could not be extracted."""
    from llama_index.core.ingestion import IngestionPipeline

    if not items:
        return {}
    hidden = ["document", "chunks", "facts"]
    nodes = [
        Document(
            text=doc.body,
            id_=doc.document_id,
            metadata={"document": doc, "chunks": chunks},
            excluded_embed_metadata_keys=hidden,
            excluded_llm_metadata_keys=hidden,
        )
        for doc, chunks in items
    ]
    out = IngestionPipeline(transformations=[FactExtractor()], disable_cache=True).run(nodes=nodes)
    return {n.metadata["document"].document_id: n.metadata.get("fact_error") or list(n.metadata["facts"]) for n in out}
