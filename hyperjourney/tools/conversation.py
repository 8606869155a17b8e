"""Typed tools of the assistant graph: the conversation and the visitor, learnt traits, the question catalogue
ranked by information gain, products and free slots, and a cited answer from the tenant's knowledge base
rendered for the chat (no citation markers reach the visitor; the citations travel beside the text)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from hyperjourney.assets.marked import MarkedCopyError, parse_marked
from hyperjourney.assets.render import render
from hyperjourney.channels import outbox
from hyperjourney.conversations import calendar, qualify, store
from hyperjourney.conversations.models import Role, Slot, Trait, Turn
from hyperjourney.db.database import Database
from hyperjourney.guardrails.copy_text import sentences
from hyperjourney.guardrails.models import Evidence
from hyperjourney.guardrails.rules_store import load_content_rules
from hyperjourney.knowledge.fact_choice import MIN_RELEVANCE, Need, choose
from hyperjourney.knowledge.fact_choice import Role as FactRole
from hyperjourney.knowledge.facts import products_in
from hyperjourney.tools.facts import FactsInput, Passage, find_facts
from hyperjourney.tools.toolbox import SearchInput, Toolbox

PRICE_WORDS = re.compile(r"\b(price|prices|pricing|cost|costs|how much|plan|plans|per month|per seat|quote)\b", re.I)


class Visitor(BaseModel):
    conversation_id: str
    customer_id: str
    status: str = "open"


class Product(BaseModel):
    product_id: str
    name: str


class KbAnswer(BaseModel):
    """The rendered answer (plain text) and the chunks it cites; empty text when no fact is on topic."""

    text: str = ""
    citations: list[str] = Field(default_factory=list)
    relevance: float = 0.0


class ConversationTools:
    def __init__(self, db: Database, tenant: str) -> None:
        self.db, self.tenant = db, tenant
        self.toolbox = Toolbox(db, tenant)

    def start(self, visitor_id: str, channel: str, email: str | None, *, at: datetime) -> Visitor:
        """A new conversation for the visitor, identified by cookie (and email when given)."""
        conversation_id = "conv_" + uuid.uuid4().hex[:16]
        with self.db.tenant(self.tenant) as conn:
            customer = store.identify(conn, visitor_id, email, at=at)
            store.open_conversation(conn, conversation_id, visitor_id=visitor_id, customer_id=customer, channel=channel)
        return Visitor(conversation_id=conversation_id, customer_id=customer)

    def visitor_of(self, conversation_id: str) -> str:
        """The cookie id of the visitor who started the conversation."""
        with self.db.tenant(self.tenant) as conn:
            return store.conversation_customer(conn, conversation_id)[0]

    def visitor(self, conversation_id: str, email: str | None, *, at: datetime) -> Visitor:
        """The conversation's customer; an email given now links the visitor to its profile (identity resolution)."""
        with self.db.tenant(self.tenant) as conn:
            visitor_id, customer, status = store.conversation_customer(conn, conversation_id)
            if email:
                found = store.identify(conn, visitor_id, email, at=at)
                if found != customer:
                    store.set_customer(conn, conversation_id, found)
                    customer = found
        return Visitor(conversation_id=conversation_id, customer_id=customer, status=status)

    def record_turn(
        self,
        conversation_id: str,
        role: Role,
        body: str,
        *,
        citations: list[str] | None = None,
        intent: str | None = None,
        sentiment: str | None = None,
    ) -> int:
        with self.db.tenant(self.tenant) as conn:
            return store.append_turn(
                conn, conversation_id, role, body, citations=citations, intent=intent, sentiment=sentiment
            )

    def transcript(self, conversation_id: str) -> list[Turn]:
        with self.db.tenant(self.tenant) as conn:
            return store.transcript(conn, conversation_id)

    def traits(self, customer_id: str) -> dict[str, Trait]:
        with self.db.tenant(self.tenant) as conn:
            return store.known_traits(conn, customer_id)

    def save_trait(self, customer_id: str, trait: Trait) -> None:
        with self.db.tenant(self.tenant) as conn:
            store.store_trait(conn, customer_id, trait)

    def business(self, customer_id: str, text: str) -> str:
        """Which question catalogue fits: the customer's segment, else the product line the visitor names."""
        with self.db.tenant(self.tenant) as conn:
            row = conn.execute(
                "SELECT attributes->>'segment' FROM customers WHERE customer_id = %s", (customer_id,)
            ).fetchone()
        return qualify.business_of(row[0] if row else None, products_in(text))

    def gains(self, traits: list[str]) -> dict[str, float]:
        with self.db.tenant(self.tenant) as conn:
            return qualify.information_gain(conn, traits)

    def product_named(self, text: str) -> Product | None:
        """The product whose every name word the message uses (longest name first)."""
        low = set(text.lower().replace(",", " ").split())
        with self.db.tenant(self.tenant) as conn:
            rows = conn.execute("SELECT product_id, name FROM products ORDER BY length(name) DESC").fetchall()
        for pid, name in rows:
            if set(str(name).lower().split()) <= low:
                return Product(product_id=pid, name=name)
        return None

    def has_email(self, customer_id: str) -> bool:
        with self.db.tenant(self.tenant) as conn:
            return "@" in outbox.address_for(conn, customer_id, "email")

    def free_slots(self, after: datetime, limit: int = 3) -> list[Slot]:
        with self.db.tenant(self.tenant) as conn:
            return calendar.free_slots(conn, after=after, limit=limit)

    def answer(self, question: str, intent: str | None, *, now: datetime) -> KbAnswer:
        """Up to two on-topic facts, each sentence cited, rendered for the chat without markers."""
        role: FactRole = "offer" if PRICE_WORDS.search(question) else "support"  # a price question wants a price first
        need = Need(
            role=role,
            text=question,
            focus=question if role == "offer" else "",
            intent=intent,
            products=products_in(question),
            now=now,
        )
        hits = self.toolbox.search_knowledge(SearchInput(query=question, k=6)).hits
        passages = [Passage(citation_id=h.citation_id, title=h.title, doc_type=h.doc_type, text=h.text) for h in hits]
        facts = find_facts(self.db, self.tenant, FactsInput(need=need, passages=passages)).facts
        chosen = [c for c in choose([f.fact for f in facts], need, limit=2) if c.relevance >= MIN_RELEVANCE]
        if not chosen:
            return KbAnswer()
        marked = " ".join(
            " ".join(f"{s.raw} [cite:{c.fact.citation_id}]" for s in sentences(c.quote))
            or f"{c.quote} [cite:{c.fact.citation_id}]"
            for c in chosen
        )
        evidence = [Evidence(citation_id=f.fact.citation_id, text=f.chunk_text, title=f.fact.title) for f in facts]
        try:
            asset = parse_marked(marked, evidence, kind="in_app", purpose="support")
        except MarkedCopyError:
            return KbAnswer()
        rendered = render(asset, "in_app", "en", load_content_rules(self.db, self.tenant))
        return KbAnswer(text=rendered.body.strip(), citations=rendered.citations, relevance=chosen[0].relevance)
