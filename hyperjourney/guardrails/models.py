"""What the content guard takes and returns: an asset with inline citations, evidence, a report.

Failures are data (code, validator, span, fix hint) so a caller can re-ask with the hint, escalate,
or route the asset to human review without parsing prose.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from hyperjourney.guardrails.tone import ToneAttributes

AssetKind = Literal["email", "sms", "in_app", "support_reply", "ad_copy"]
ASSET_KINDS: tuple[AssetKind, ...] = ("email", "sms", "in_app", "support_reply", "ad_copy")
Purpose = Literal["marketing", "transactional", "support"]


class Asset(BaseModel):
    kind: AssetKind
    subject: str | None = None
    body: str
    tone: ToneAttributes | None = None
    citations: list[str] = Field(default_factory=list)
    purpose: Purpose = "marketing"
    recipient_pii: list[str] = Field(
        default_factory=list, description="the recipient's own email/phone/name, which the copy may contain"
    )
    recipient_id: str | None = Field(None, description="the recipient customer: their own name may appear")
    locale: str = Field("en", pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$", description="the copy's language: its tone words")


class Evidence(BaseModel):
    citation_id: str
    text: str
    title: str = ""
    values: list[str] = Field(
        default_factory=list, description="a record fact's value (its words per locale): a claim citing it states one"
    )
    names: str = Field("", description="a record fact's row (an order id) that a claim citing it must name")

    @classmethod
    def from_hit(cls, hit: Any) -> Evidence:
        """From a knowledge search Hit (or anything with citation_id, text/snippet and title)."""
        text = getattr(hit, "text", "") or getattr(hit, "snippet", "")
        return cls(citation_id=str(hit.citation_id), text=str(text), title=str(getattr(hit, "title", "") or ""))


class Claim(BaseModel):
    """A statement of fact as the customer reads it (no markers), the evidence it cites and the figures it states."""

    text: str = Field(min_length=1)
    citations: list[str] = Field(min_length=1, description="citation ids of the knowledge chunks behind it")
    numbers: list[str] = Field(default_factory=list, description="figures the claim states, normalized")


class GuardFailure(BaseModel):
    code: str
    validator: str
    message: str
    span: str | None = None
    fix_hint: str | None = None


class GuardReport(BaseModel):
    passed: bool
    failures: list[GuardFailure]
    checked: list[str]

    def codes(self) -> set[str]:
        return {f.code for f in self.failures}

    def messages(self) -> list[str]:
        """One "code: message" line per failure: the feedback a re-ask or a reviewer reads."""
        return [f"{f.code}: {f.message}" for f in self.failures]
