"""A copy asset is blocks: plain text, and claims that carry their citations and the figures they state.

The claim type is the guardrails' own ``Claim`` (one definition): a claim block is that claim placed in copy.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from hyperjourney.guardrails.models import AssetKind, Claim, Purpose
from hyperjourney.guardrails.tone import ToneAttributes

RenderChannel = Literal["email", "sms", "in_app", "push"]


class TextBlock(BaseModel):
    """Copy that states no fact: greeting, call to action, footer. Whitespace is kept as written."""

    kind: Literal["text"] = "text"
    text: str


class ClaimBlock(Claim):
    kind: Literal["claim"] = "claim"


Block = Annotated[TextBlock | ClaimBlock, Field(discriminator="kind")]


class Source(BaseModel):
    """A knowledge chunk a claim cites, with the title a reader (and the sources footer) sees."""

    citation_id: str
    title: str = ""


class CopyAsset(BaseModel):
    kind: AssetKind
    subject: str | None = None
    blocks: list[Block] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list, description="titles of the cited chunks")
    purpose: Purpose = "marketing"
    tone: ToneAttributes | None = None
    recipient_id: str | None = Field(None, description="the one customer it goes to (None: a cohort)")

    def claims(self) -> list[ClaimBlock]:
        return [b for b in self.blocks if isinstance(b, ClaimBlock)]

    def prose(self) -> list[str]:
        """The uncited text, which must state no fact or figure."""
        return [b.text for b in self.blocks if isinstance(b, TextBlock)]

    def citation_ids(self) -> list[str]:
        """Every cited id, in the order the copy first cites it."""
        return list(dict.fromkeys(c for claim in self.claims() for c in claim.citations))

    def title_of(self, citation_id: str) -> str:
        return next((s.title for s in self.sources if s.citation_id == citation_id and s.title), citation_id)


class RenderedMessage(BaseModel):
    """Exactly what the customer gets on one channel: no markers; the subject only where the channel has one."""

    channel: RenderChannel
    locale: str
    subject: str | None
    body: str
    citations: list[str] = Field(default_factory=list, description="cited ids, in footnote order")


class ReviewerSource(BaseModel):
    number: int
    citation_id: str
    title: str
    excerpt: str = Field(description="the cited chunk's text, shortened; empty when the id is not in the evidence")
    found: bool = Field(description="the id is in the evidence the copy was written from")


class ReviewerView(BaseModel):
    """What a reviewer inspects: the copy with numbered citations and each source, beside the customer's render."""

    text: str
    sources: list[ReviewerSource]
    rendered: RenderedMessage
