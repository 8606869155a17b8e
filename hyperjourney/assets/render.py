"""One renderer: a copy asset becomes exactly what the customer gets on a channel, in a locale.

No markers reach the customer. Email may number its claims and close with a short sources footer when the
tenant's content rules ask for it (``email_sources_footer``), and carries the "why you got this" line; SMS
gets the copy alone, so its length is the copy's. The reviewer view always numbers the citations.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from hyperjourney.assets.models import (
    ClaimBlock,
    CopyAsset,
    RenderChannel,
    RenderedMessage,
    ReviewerSource,
    ReviewerView,
)
from hyperjourney.guardrails.models import AssetKind, Evidence
from hyperjourney.guardrails.rules import ContentRules

EXCERPT_CHARS = 240


class RenderError(ValueError):
    """The asset cannot be rendered as asked (unknown locale, a channel its kind does not go to)."""


class Labels(BaseModel):
    sources: str
    why: str


LABELS: dict[str, Labels] = {
    "en": Labels(sources="Sources", why="Why you got this: "),
    "es": Labels(sources="Fuentes", why="Por qué recibes esto: "),
    "de": Labels(sources="Quellen", why="Warum Sie das erhalten: "),
    "fr": Labels(sources="Sources", why="Pourquoi vous recevez ceci : "),
}
CHANNEL_KINDS: dict[RenderChannel, tuple[AssetKind, ...]] = {
    "email": ("email", "support_reply"),
    "sms": ("sms",),
    "in_app": ("in_app",),
    "push": ("in_app",),
}


def labels_for(locale: str) -> Labels:
    """``en``, ``en-US`` and ``en_GB`` all read English; an unsupported language is an error, not English."""
    language = locale.replace("_", "-").split("-")[0].lower()
    if language not in LABELS:
        raise RenderError(f"locale {locale!r} is not supported (supported: {', '.join(LABELS)})")
    return LABELS[language]


def render(
    asset: CopyAsset, channel: RenderChannel, locale: str, brand: ContentRules, *, why: str = ""
) -> RenderedMessage:
    """The customer's message. ``brand`` is the tenant's content rules; ``why`` the journey step's reason,
    shown under the email (other channels pass it beside the body)."""
    labels = labels_for(locale)
    if asset.kind not in CHANNEL_KINDS[channel]:
        raise RenderError(f"a {asset.kind} asset does not go out on {channel}")
    numbered = channel == "email" and brand.email_sources_footer
    body, order = _compose(asset, numbered=numbered)
    if channel == "email":
        if numbered and order:
            body += f"\n\n{labels.sources}:\n" + "\n".join(
                f"[{n}] {asset.title_of(cid)}" for n, cid in enumerate(order, 1)
            )
        if why.strip():
            body += f"\n\n--\n{labels.why}{why.strip()}"
        body += "\n"  # a mail body ends with a line break (what the SMTP server stores)
    subject = asset.subject.strip() if channel != "sms" and asset.subject else None
    return RenderedMessage(
        channel=channel, locale=locale, subject=subject or None, body=body, citations=asset.citation_ids()
    )


def reviewer_view(
    asset: CopyAsset,
    channel: RenderChannel,
    locale: str,
    brand: ContentRules,
    evidence: Sequence[Evidence],
    *,
    why: str = "",
) -> ReviewerView:
    """The copy with [1], [2] after each claim and, for each number, the source's title, id and text."""
    by_id = {e.citation_id: e for e in evidence}
    body, order = _compose(asset, numbered=True)
    sources = []
    for n, cid in enumerate(order, 1):
        found = by_id.get(cid)
        excerpt = " ".join(found.text.split()) if found else ""
        sources.append(
            ReviewerSource(
                number=n,
                citation_id=cid,
                title=(found.title if found and found.title else asset.title_of(cid)),
                excerpt=excerpt[:EXCERPT_CHARS] + ("…" if len(excerpt) > EXCERPT_CHARS else ""),
                found=found is not None,
            )
        )
    lines = [f"Subject: {asset.subject}", ""] if asset.subject else []
    lines.append(body)
    if sources:
        lines += ["", f"{labels_for(locale).sources}:"]
        lines += [f"[{s.number}] {s.title} ({s.citation_id}){'' if s.found else ' (not in evidence)'}" for s in sources]
    rendered = render(asset, channel, locale, brand, why=why)
    return ReviewerView(text="\n".join(lines), sources=sources, rendered=rendered)


def _compose(asset: CopyAsset, *, numbered: bool) -> tuple[str, list[str]]:
    """The blocks as one text and the cited ids in footnote order; claims get " [n]" when numbered."""
    order: list[str] = []
    parts: list[str] = []
    for block in asset.blocks:
        parts.append(block.text)
        if isinstance(block, ClaimBlock) and numbered:
            for cid in block.citations:
                if cid not in order:
                    order.append(cid)
            parts.append(" " + "".join(f"[{order.index(cid) + 1}]" for cid in block.citations))
    lines = [line.rstrip() for line in "".join(parts).strip().splitlines()]
    return "\n".join(lines), order
