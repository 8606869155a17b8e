"""From today's marker strings (``text [cite:kb-…#n]``, what the copywriter writes) to a structured asset.

A run of markers cites the sentence just before it: from the last sentence break (``. `` ``! `` ``? `` or a
new line, as the guardrails split sentences) up to the markers. The markers and the space before them go;
every other character stays in a text or claim block, so the asset renders back to the copy without them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hyperjourney.assets.models import Block, ClaimBlock, CopyAsset, Source, TextBlock
from hyperjourney.guardrails.copy_text import CITE, numbers, strip_markers
from hyperjourney.guardrails.models import AssetKind, Evidence, Purpose
from hyperjourney.guardrails.tone import ToneAttributes

MARKER_START = "[cite:"
_BREAK = re.compile(r"[.!?]\s+|\n")


class MarkedCopyError(ValueError):
    """Marker text that cannot become an asset (a marker citing nothing, a malformed marker)."""


def parse_marked(
    text: str,
    evidence: Sequence[Evidence],
    *,
    kind: AssetKind,
    subject: str | None = None,
    purpose: Purpose = "marketing",
    tone: ToneAttributes | None = None,
    recipient_id: str | None = None,
) -> CopyAsset:
    """The asset behind marked copy; ``evidence`` names the sources (titles) of the ids it cites."""
    blocks: list[Block] = []
    cursor = 0
    for start, end, ids in _marker_runs(text):
        before = text[cursor:start].rstrip()
        breaks = list(_BREAK.finditer(before))
        at = breaks[-1].end() if breaks else 0
        claim = before[at:]
        if at:
            blocks.append(TextBlock(text=before[:at]))
        if claim:
            blocks.append(ClaimBlock(text=claim, citations=ids, numbers=sorted(numbers(claim))))
        elif blocks and isinstance(blocks[-1], ClaimBlock):  # "[cite:a] [cite:b]" split by a line: one claim
            last = blocks[-1]
            last.citations = list(dict.fromkeys([*last.citations, *ids]))
        else:
            raise MarkedCopyError(f"citation marker at character {start} follows no sentence: {text[start:end]!r}")
        cursor = end
    if cursor < len(text):
        blocks.append(TextBlock(text=text[cursor:]))
    for block in blocks:
        if MARKER_START in block.text:
            at = text.find(MARKER_START)
            raise MarkedCopyError(f"malformed citation marker at character {at}: {text[at : at + 40]!r}")
    if not any(b.text.strip() for b in blocks):
        raise MarkedCopyError("the copy is empty")
    cited = {c for b in blocks if isinstance(b, ClaimBlock) for c in b.citations}
    sources = [Source(citation_id=e.citation_id, title=e.title) for e in evidence if e.citation_id in cited]
    return CopyAsset(
        kind=kind,
        subject=strip_markers(subject) if subject is not None else None,
        blocks=blocks,
        sources=sources,
        purpose=purpose,
        tone=tone,
        recipient_id=recipient_id,
    )


def _marker_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """(start, end, ids) of each run of markers separated only by spaces."""
    runs: list[tuple[int, int, list[str]]] = []
    for m in CITE.finditer(text):
        if runs and not text[runs[-1][1] : m.start()].strip(" \t"):
            start, _, ids = runs[-1]
            runs[-1] = (start, m.end(), [*ids, m.group(1)])
        else:
            runs.append((m.start(), m.end(), [m.group(1)]))
    return [(s, e, list(dict.fromkeys(ids))) for s, e, ids in runs]
