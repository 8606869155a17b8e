"""Typed facts extracted from knowledge documents at ingest, each with the chunk it cites.

Six kinds, one detail model each: measured results, customer quotes, prices, policies (rules with their
conditions, region and time limits), FAQ answers and product attributes. The Copywriter chooses among these
instead of cutting sentences out of retrieved chunks, so what it quotes is whole, on topic and attributable.
The product-line and intent vocabularies live here because extraction and choice must agree on them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field

EXTRACTOR_VERSION = "1"
"""Part of the reader's pipeline version: bumping it re-reads (and re-extracts) every document on next ingest."""

FactKind = Literal["result", "quote", "pricing", "policy", "faq", "attribute"]
FACT_KINDS: tuple[str, ...] = get_args(FactKind)

PRODUCT_WORDS: dict[str, tuple[str, ...]] = {
    "ledger": (
        "ledger", "reconciliation", "reconcile", "payout", "payouts", "spend controls", "bank feed",
        "bank connections", "bank connection", "entities", "month-end close", "virtual cards",
    ),
    "boards": ("boards", "board", "workspace", "workspaces", "automation", "automations", "seat", "seats"),
    "goods": (
        "goods", "order", "orders", "parcel", "shoe", "shoes", "footwear", "sneaker", "boot", "boots", "jacket",
        "socks", "sock", "trail club", "stratus", "ridge hiker", "harbor walker", "shift pro", "switchback",
        "return", "returns", "return label", "exchange", "exchanges", "shipping", "delivery", "delivered",
        "size", "sizes", "sizing", "apparel",
        "bestellung", "paket", "schuh", "schuhe", "rücksendung", "lieferung", "größe",
        "pedido", "paquete", "zapatilla", "zapatillas", "talla", "envío", "devolución",
        "commande", "colis", "chaussure", "chaussures", "taille", "livraison",
    ),
}  # fmt: skip
"""Words that place a text in one of the demo tenant's product lines (Ledger B2B, Boards PLG, Goods DTC)."""

INTENT_WORDS: dict[str, tuple[str, ...]] = {
    "cancel_subscription": ("cancel", "cancelling", "cancellation", "downgrade", "pause", "kündigen", "cancelar"),
    "refund_request": ("refund", "refunded", "money back", "erstattung", "reembolso", "remboursement"),
    "billing_question": (
        "charged", "charge", "invoice", "invoices", "billing", "billed", "payment", "pay", "card declined", "twice",
        "vat", "rechnung", "factura", "facture",
    ),
    "shipping_delay": (
        "where is my order", "tracking", "shipped", "ship", "delivery", "delivered", "parcel", "arrive", "late",
        "lieferung", "paket", "envío", "paquete", "livraison", "colis",
    ),
    "sizing_fit": (
        "size", "sizes", "sizing", "fit", "width", "narrow", "wide", "half size", "größe", "talla", "taille",
    ),
    "account_access": ("password", "login", "log in", "sign in", "locked", "mfa", "sso", "two-factor", "email address"),
    "data_privacy": ("export", "delete my data", "gdpr", "privacy", "data", "security", "encrypted", "stored"),
    "upgrade_inquiry": ("upgrade", "plan", "plans", "seats", "pricing", "price", "business plan", "scale"),
    "technical_issue": ("error", "not working", "broken", "bug", "stalled", "sync", "failed", "import"),
    "product_question": ("which", "recommend", "difference", "feature", "waterproof", "does it"),
    "complaint": ("damaged", "faulty", "wrong item", "defect", "warranty", "complaint", "disappointed"),
}  # fmt: skip
"""Words a question of each demo intent uses; an FAQ answer is tagged with the intent its question matches."""

_PRONOUN_START = re.compile(r"^(?:it|its|this|that|these|those|they|their|them|he|she|both|such)\b", re.IGNORECASE)


def unresolved_pronoun(text: str) -> bool:
    """A sentence that starts with a pronoun needs the sentence before it; quoted alone it is unclear."""
    return bool(_PRONOUN_START.match(text.strip(" -*\"'")))


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``words`` as a whole word or phrase (longest first, so a phrase wins over its first word)."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


PRODUCT_PATTERNS = {p: _words(ws) for p, ws in PRODUCT_WORDS.items()}
_INTENT_PATTERNS = {i: _words(ws) for i, ws in INTENT_WORDS.items()}


def products_in(text: str) -> list[str]:
    """Product lines a text names, in the vocabulary's order (empty: it names none)."""
    low = text.lower()
    return [p for p, rx in PRODUCT_PATTERNS.items() if rx.search(low)]


def intent_of(text: str) -> str | None:
    """The intent whose words a question uses most (ties: vocabulary order); None when it uses none."""
    low = text.lower()
    counts = {i: len(set(rx.findall(low))) for i, rx in _INTENT_PATTERNS.items()}
    best = max(counts.values(), default=0)
    return next((i for i, n in counts.items() if n == best), None) if best else None


class ResultDetail(BaseModel):
    kind: Literal["result"] = "result"
    subject: str = Field(description="Who got the result, e.g. 'Brightpath Lending'")
    industry: str | None = Field(None, description="The subject's industry as the source states it")
    metric: str = Field(description="What changed, e.g. 'manual reconciliation time'")
    before: str | None = Field(None, description="Value before, as written, e.g. '120'")
    after: str | None = Field(None, description="Value after, as written, e.g. '25'")
    change: str | None = Field(None, description="Stated change, e.g. '71%'")
    unit: str | None = Field(None, description="Unit of before/after, e.g. 'hours per month'")
    period: str | None = Field(None, description="Over what time, e.g. 'within 6 months'")


class QuoteDetail(BaseModel):
    kind: Literal["quote"] = "quote"
    who: str = Field(description="Attribution line: name, role, company")
    text: str = Field(description="The quoted words, without quotation marks")
    industry: str | None = Field(None, description="The speaker's industry as the source states it")


class PricingDetail(BaseModel):
    kind: Literal["pricing"] = "pricing"
    product: str = Field(description="Product or product line, e.g. 'Northwind Ledger'")
    plan: str = Field(description="Plan or item priced, e.g. 'Growth' or 'Same-day ACH payouts'")
    price: str = Field(description="Price as written, e.g. '$199 per month'")
    annual_price: str | None = Field(None, description="Annual-billing price when the source gives one")
    limits: list[str] = Field(default_factory=list, description="Plan limits, one per item")


class PolicyDetail(BaseModel):
    kind: Literal["policy"] = "policy"
    rule: str = Field(description="The rule as stated")
    topic: str = Field(description="refund, return, cancel, exchange, warranty, shipping, billing, price or other")
    conditions: list[str] = Field(default_factory=list, description="Clauses the rule depends on (if, unless, only)")
    region: str = Field("global", description="Region the rule applies to")
    time_limits: list[str] = Field(default_factory=list, description="Durations the rule states, e.g. '30 days'")
    negated: bool = Field(False, description="The rule says something is not done or not allowed")


class FaqDetail(BaseModel):
    kind: Literal["faq"] = "faq"
    question: str
    intent: str | None = Field(None, description="The support intent the question matches, if any")
    answer_steps: list[str] = Field(default_factory=list, description="The answer, one self-contained step each")


class AttributeDetail(BaseModel):
    kind: Literal["attribute"] = "attribute"
    product: str = Field(description="Product, module or plan described")
    name: str = Field(description="Attribute, e.g. 'Reconciliation' or 'Active automations'")
    value: str


Detail = Annotated[
    ResultDetail | QuoteDetail | PricingDetail | PolicyDetail | FaqDetail | AttributeDetail,
    Field(discriminator="kind"),
]


class Fact(BaseModel):
    """One typed fact; ``text`` is a self-contained sentence that may be quoted with ``citation_id``."""

    document_id: str
    fact_index: int = Field(ge=0)
    chunk_index: int = Field(ge=0, description="The chunk that states it (what a claim built on it cites)")
    kind: FactKind
    products: list[str] = Field(default_factory=list, description="Product lines it is about (empty: general)")
    title: str
    section: str
    doc_type: str
    region: str = "global"
    language: str = "en"
    audience: str = "customer"
    doc_version: int = 1
    updated_at: datetime
    text: str = Field(min_length=1)
    detail: Detail

    @property
    def citation_id(self) -> str:
        return f"{self.document_id}#{self.chunk_index}"

    @property
    def fact_id(self) -> str:
        return f"{self.document_id}:{self.fact_index}"
