"""Copywriter: grounded copy — brand templates filled with chosen typed facts on the small tier, LLM drafts above.

Facts come from the fact store, chosen by role (proof for campaigns, policy/FAQ by intent for support), by the
customer's or segment's product line, language, region and freshness (knowledge.fact_choice); the choice's
relevance bounds the draft's confidence, so a reply with nothing on topic escalates. Every claim carries an
inline [cite:<id>]; each draft passes the guardrails or is escalated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.agents import campaign_copy
from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.agents.campaign_copy import CampaignBrief, Proof, goal_kind_of
from hyperjourney.agents.gist import Gist, ticket_gist
from hyperjourney.agents.reply_phrases import (
    FORMAL_GREETING,
    LOCALES,
    RECORD_RELEVANCE,
    opening_closing,
    phrases,
    record_lines,
)
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.data.brand import Brand
from hyperjourney.guardrails.copy_text import sentences
from hyperjourney.guardrails.fence import fence
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.records import RecordFact
from hyperjourney.guardrails.rules import ContentRules
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.guardrails.tone_policy import channel_tone
from hyperjourney.knowledge.fact_choice import Choice, Need, Role, choose, products_of_segment
from hyperjourney.knowledge.facts import PricingDetail, QuoteDetail, ResultDetail, products_in
from hyperjourney.knowledge.language import DetectedLanguage
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.router import Candidate, Stakes
from hyperjourney.prompts.loader import load
from hyperjourney.tools.customers import CustomerProfile, UnknownRecordError
from hyperjourney.tools.facts import FactsInput, Passage, find_facts
from hyperjourney.tools.toolbox import CustomerInput, RecordInput, SearchInput, ValidateInput

PROMPT = "copywriter_variant"
REPLY_PROMPT = "copilot_reply"
CHANNELS: tuple[Literal["email", "sms", "push", "in_app"], ...] = ("email", "sms")
_CITE = re.compile(r"\[cite:([^\]]+)\]")
# Claims a regulator cares about (rates, deposit insurance, guarantees, health); these need a larger model or a person.
_REGULATED = re.compile(
    r"\b(apr|interest rates?|fdic|insured deposits?|guarantee[ds]?|clinically|loan approval|credit score|cures?)\b",
    re.I,
)


class CopyDraft(BaseModel):
    """The output schema of a copy decision."""

    subject: str | None = None
    body: str = Field(min_length=1)
    confidence: float = Field(0.7, ge=0, le=1)


class Variant(BaseModel):
    channel: Literal["email", "sms", "push", "in_app"]
    subject: str | None = None
    body: str = Field(min_length=1)
    citations: list[str] = Field(default_factory=list)
    tier: str = "human"
    passed_guardrails: bool = False
    locale: str = "en"
    review_note: str = Field("", description="For the reviewer, never sent: e.g. why the copy is in English")
    tone: ToneAttributes | None = Field(None, description="The tone it was written and checked for")


class CopySet(BaseModel):
    variants: list[Variant]
    evidence: list[Hit] = Field(default_factory=list, description="what the variants may cite (edits too)")


class Reply(BaseModel):
    body: str
    citations: list[str]
    tier: str
    passed_guardrails: bool
    evidence: list[Hit] = Field(default_factory=list, description="the chunks the reply may cite (edits too)")
    relevance: float = Field(0.0, ge=0, le=1, description="how well the best chosen fact answers the ticket")
    language: str = Field("en", description="the language the reply is written in")
    customer_language: DetectedLanguage | None = Field(None, description="what the customer wrote in, and how known")
    gist: Gist | None = Field(None, description="the ticket's gist for an agent who reads another language")
    records: list[RecordFact] = Field(default_factory=list, description="the customer's record fields it may cite")


def cited(text: str) -> list[str]:
    return list(dict.fromkeys(_CITE.findall(text)))


SEGMENT_PRODUCT = {"b2b": "ledger", "plg": "boards", "dtc": "goods"}
"""The demo businesses' customer segments and the product line each buys."""
_OFFER = re.compile(r"\b(upsell|upgrade|cross-sell|cross sell|expan\w*|add-ons?|seats?|plans?)\b", re.IGNORECASE)


class Chosen(BaseModel):
    """A chosen fact and the chunk it cites (what the guardrails check the claim against)."""

    choice: Choice
    evidence: Hit


def customer_products(profile: CustomerProfile | None) -> list[str]:
    """The product lines a customer buys: from the segment on the profile, else from having orders (Goods)."""
    if profile is None:
        return []
    segment = str(profile.attributes.get("segment") or "").lower()
    if segment in SEGMENT_PRODUCT:
        return [SEGMENT_PRODUCT[segment]]
    return ["goods"] if profile.recent_orders else []


def choose_facts(ctx: AgentContext, need: Need, evidence: list[Hit], *, limit: int = 4) -> list[Chosen]:
    """The typed facts to say for ``need``, best first, each at least MIN_RELEVANCE (knowledge.fact_choice);
    ``evidence`` (retrieved chunks) adds facts of documents the fact store has none for."""
    passages = [Passage(citation_id=e.citation_id, title=e.title, doc_type=e.doc_type, text=e.text) for e in evidence]
    found = find_facts(ctx.tools.db, ctx.tools.tenant, FactsInput(need=need, passages=passages)).facts
    sources = {f.fact.fact_id: f.chunk_text for f in found}
    return [
        Chosen(
            choice=c,
            evidence=Hit(
                citation_id=c.fact.citation_id,
                document_id=c.fact.document_id,
                chunk_index=c.fact.chunk_index,
                title=c.fact.title,
                section=c.fact.section,
                doc_type=c.fact.doc_type,
                region=c.fact.region,
                language=c.fact.language,
                audience=c.fact.audience,
                snippet=c.quote,
                text=sources[c.fact.fact_id],
                score=c.relevance,
                updated_at=c.fact.updated_at,
            ),
        )
        for c in choose([f.fact for f in found], need, limit=limit)
    ]


def cited_evidence(chosen: list[Chosen], evidence: list[Hit]) -> list[Hit]:
    """Retrieved evidence plus the chunks the chosen facts cite, each citation id once."""
    out = {e.citation_id: e for e in evidence}
    for c in chosen:
        out.setdefault(c.evidence.citation_id, c.evidence)
    return list(out.values())


def _asset_kind(channel: str) -> Literal["email", "sms", "in_app"]:
    return "email" if channel == "email" else "sms" if channel == "sms" else "in_app"


def _checker(
    ctx: AgentContext,
    kind: Literal["email", "sms", "in_app", "support_reply"],
    evidence: list[Hit],
    tone: ToneAttributes,
    recipient_id: str | None = None,
    locale: str = "en",
) -> Callable[[CopyDraft], list[str]]:
    """Guardrail failures of a draft (its tone read in ``locale``'s words); memoised per text, since the template
    search, the router and the final verdict all ask about the same drafts (one validation costs ~100 ms)."""
    seen: dict[tuple[str | None, str], list[str]] = {}

    def check(draft: CopyDraft) -> list[str]:
        key = (draft.subject, draft.body)
        if key not in seen:
            asset = Asset(
                kind=kind, subject=draft.subject, body=draft.body, tone=tone, citations=cited(draft.body),
                recipient_id=recipient_id, locale=locale,
            )  # fmt: skip
            seen[key] = ctx.tools.validate_asset(ValidateInput(asset=asset, evidence=evidence)).messages()
        return seen[key]

    return check


def proof_line(choice: Choice) -> str:
    """The fact as copy: a result names who measured it, a quote is attributed, a product fact is not a testimonial."""
    detail = choice.fact.detail
    if isinstance(detail, QuoteDetail):
        return f"“{detail.text}” ({detail.who})"
    if isinstance(detail, ResultDetail):
        return choice.fact.text
    return choice.quote


def proof_of(c: Chosen) -> Proof:
    detail = c.choice.fact.detail
    plan = detail.plan if isinstance(detail, PricingDetail) else None
    return Proof(text=proof_line(c.choice), citation_id=c.evidence.citation_id, kind=c.choice.fact.kind, plan=plan)


def template_variant(
    channel: Literal["email", "sms", "push", "in_app"],
    brief: ResearchBrief,
    chosen: list[Chosen],
    check: Callable[[CopyDraft], list[str]],
    brand: Brand,
    *,
    campaign: CampaignBrief | None = None,
    tone: ToneAttributes | None = None,
    rules: ContentRules | None = None,
    locale: str = "en",
) -> Candidate[CopyDraft]:
    """The template library's draft for the goal kind, channel, business and locale, filled with the chosen facts
    (framed by their kind; as many as the tone's brevity allows): the first of the three variants, each tried
    with the best facts and then with the best fact alone, whose draft passes the guardrails; else the first
    draft with low confidence, for escalation. A short channel whose facts all fail, one of them for want of room
    for its disclaimer (a Ledger result in an SMS), says no fact at all. Confidence is bounded by the best fact's
    relevance. The copy names and signs with the tenant's own brand and ends with its marketing footer."""
    limit = 105 if channel == "sms" else 70 if channel == "push" else 300  # SMS: 160 with its opt-out and CTA
    usable = [c for c in chosen if len(proof_line(c.choice)) <= limit]
    if not usable:
        return Candidate(CopyDraft(subject=None, body="(no evidence found)", confidence=0.1), 0.1, "no evidence")
    campaign = campaign or CampaignBrief()
    kind = campaign.goal_kind or goal_kind_of(f"{brief.goal} {campaign.offer}")
    business = campaign.business or next(iter(products_of_segment(brief.goal, campaign.audience)), None)
    tone = tone or channel_tone(channel, business)
    proofs = [proof_of(c) for c in usable]
    tries = [[x] for x in proofs]
    if channel == "email":  # facts as relevant as the best (within 0.05) together, then fewer, then each alone
        top = usable[0].choice.relevance
        p = [x for x, c in zip(proofs, usable, strict=True) if c.choice.relevance >= top - 0.05][:3]
        tries = [p, p[:2], p[::2], p[1:], *tries]
    tries = [t for i, t in enumerate(tries) if t and t not in tries[:i]]
    if channel != "email":  # no fact fits with its disclaimer: the message says none rather than one without it
        tries.append([])
    drafts: list[tuple[CopyDraft, str]] = []
    disclaimed = False  # a fact-free message only when a disclaimer is what kept the facts out
    for facts in tries:
        if not facts and not disclaimed:
            break
        for variant in range(3):
            written = campaign_copy.write(
                channel, kind, business, locale, facts, tone, variant=variant, brand=brand.name,
                footer=brand.email_footer() if channel == "email" else "", rules=rules or ContentRules(),
                brief=campaign,
            )  # fmt: skip
            disclaimed = disclaimed or bool(written.disclaimers)
            if not facts and brand.name not in written.body:
                continue  # a message that says no fact still says whose it is
            draft = CopyDraft(subject=written.subject, body=written.body)
            why = f"template {written.key} variant {written.variant} ({written.voice}), {len(facts)} facts"
            if not check(draft):
                draft.confidence = round(min(0.8, usable[0].choice.relevance), 3)
                return Candidate(draft, draft.confidence, why)
            drafts.append((draft, why))
    draft, why = drafts[0]
    draft.confidence = 0.4
    return Candidate(draft, 0.4, f"no template draft passed the guardrails (first: {why})")


def campaign_need(brief: ResearchBrief, campaign: CampaignBrief | None = None) -> Need:
    """What a campaign must say: an offer for upsell goals, proof otherwise, about the segment's product line (the
    brief's business when it names one), weighted to the brief's offer, in its language and region."""
    campaign = campaign or CampaignBrief()
    filters = brief.segment.definition.model_dump(exclude_defaults=True).values()
    segment = " ".join([brief.segment.name, *(str(x) for v in filters for x in (v if isinstance(v, list) else [v]))])
    role: Role = "offer" if _OFFER.search(f"{brief.goal} {campaign.goal_kind or ''}") else "proof"
    text = f"{brief.goal} {campaign.audience} {brief.query.industry or ''} {brief.query.metric}"
    products = (
        [campaign.business] if campaign.business
        else products_of_segment(brief.goal, segment, brief.query.industry or "", campaign.audience)
    )  # fmt: skip
    return Need(
        role=role, text=text, focus=campaign.offer, products=products, language=campaign.locale,
        region=campaign.region,
    )  # fmt: skip


def campaign_locale(need: Need, chosen: list[Chosen]) -> tuple[str, str]:
    """The copy's language and a note for the reviewer (never the customer): the brief's language, unless no fact
    exists in it, then English."""
    if need.language == "en" or not chosen or all(c.choice.fact.language == need.language for c in chosen):
        return need.language, ""
    return "en", f"written in English: the knowledge base has no {need.language} facts for this goal"


def write_variants(ctx: AgentContext, brief: ResearchBrief, campaign: CampaignBrief | None = None) -> AgentResult:
    """Cited variants for email and SMS (and the brief's own channel when it is push or in-app)."""
    campaign = campaign or CampaignBrief()
    query = f"{brief.segment.name} {brief.query.metric} {brief.goal} {campaign.offer}"
    retrieved = ctx.tools.search_knowledge(SearchInput(query=query, doc_types=["case_study", "product"], k=4)).hits
    need = campaign_need(brief, campaign).model_copy(update={"now": ctx.now})
    chosen = choose_facts(ctx, need, retrieved, limit=10)  # enough for a short channel to find a short fact
    # a short message has no room for a disclaimer: product facts (which trigger none, mostly) are its fallback
    seen = {c.choice.fact.fact_id for c in chosen}
    offers = [c for c in choose_facts(ctx, need.model_copy(update={"role": "offer"}), retrieved, limit=10)
              if c.choice.fact.fact_id not in seen]  # fmt: skip
    evidence = cited_evidence(chosen + offers, retrieved)
    locale, note = campaign_locale(need, chosen)
    result = AgentResult(CopySet(variants=[]), [], [e.citation_id for e in evidence])
    block = "\n".join(f"[{c.evidence.citation_id}] {c.choice.fact.kind}: {c.choice.quote}" for c in chosen)
    variants: list[Variant] = []
    brand = ctx.tools.brand()
    policy, rules = ctx.tools.tone_policy(), ctx.tools.content_rules()
    channels = list(CHANNELS) + ([campaign.channel] if campaign.channel in ("push", "in_app") else [])
    for channel in channels:
        kind = _asset_kind(channel)
        business = campaign.business or next(iter(need.products), None)
        asked = campaign.tone if campaign.tone and channel == campaign.channel else None  # the brief's channel only
        tone = asked or channel_tone(channel, business, policy)
        check = _checker(ctx, kind, evidence, tone, locale=locale)
        pool = chosen if channel == "email" else chosen + offers
        candidate = template_variant(
            channel, brief, pool, check, brand, campaign=campaign, tone=tone, rules=rules, locale=locale
        )
        routed = ctx.router.decide(
            f"copy:{channel}",
            schema=CopyDraft,
            prompt=load(PROMPT),
            variables={
                "channel": channel,
                "brand": brand.name,
                "segment": brief.segment.name,
                "evidence": block,
                "goal_kind": campaign.goal_kind or goal_kind_of(f"{brief.goal} {campaign.offer}"),
                "offer": campaign.offer or "(none stated)",
                "audience": campaign.audience or brief.segment.name,
                "locale": locale,
                **tone.model_dump(),
            },
            small=lambda candidate=candidate: candidate,  # type: ignore[misc]
            stakes=Stakes(regulated_claim=bool(_REGULATED.search(candidate.value.body))),
            check=check,
        )
        draft = routed.value or candidate.value
        passed = not check(draft)
        variants.append(
            Variant(
                channel=channel,
                subject=draft.subject,
                body=draft.body,
                citations=cited(draft.body),
                tier=routed.tier,
                passed_guardrails=passed,
                locale=locale,
                review_note=note,
                tone=tone,
            )
        )
        inputs = {"segment": brief.segment.name, "role": need.role, "products": need.products, "locale": locale,
                  "templates": campaign_copy.library(locale).version, "tone": tone.model_dump()}  # fmt: skip
        result.add(Step(f"copy:{channel}", routed, cited(draft.body), inputs))
    result.output = CopySet(variants=variants, evidence=evidence)
    return result


def revalidate(ctx: AgentContext, variants: list[Variant], evidence: list[Hit]) -> list[str]:
    """Guardrail failures of edited variants (an edit is accepted only when this is empty)."""
    problems = []
    for v in variants:
        kind = _asset_kind(v.channel)
        tone = v.tone or channel_tone(v.channel)
        for failure in _checker(ctx, kind, evidence, tone, locale=v.locale)(CopyDraft(subject=v.subject, body=v.body)):
            problems.append(f"{v.channel}: {failure}")
    return problems


def cite_each(quote: str, citation_id: str) -> str:
    """The fact's sentences, each with its citation: a fact of two sentences is two claims (the guardrail checks
    every sentence, so one marker at the end left the first uncited and the draft failed)."""
    return " ".join(f"{s.raw} [cite:{citation_id}]" for s in sentences(quote)) or f"{quote} [cite:{citation_id}]"


def template_reply(
    name: str, intent: str, sentiment: str, chosen: list[Chosen], intent_confidence: float,
    check: Callable[[CopyDraft], list[str]], brand: Brand, *, locale: str = "en", note: str = "",
    records: list[str] | None = None, tone: ToneAttributes | None = None, rules: ContentRules | None = None,
) -> Candidate[CopyDraft]:  # fmt: skip
    """The support template filled with the chosen facts, each sentence cited: the first two if they pass the
    guardrails together, else the first single fact that does. Praise gets thanks and no facts (nothing claimed,
    so confident unless the praise reads unhappy). Otherwise confidence is the best fact's relevance (the
    intent's own doubt is the Tone agent's `ambiguous` escalation, not counted twice); with no fact on the
    ticket's product and intent it is low, so the reply escalates. ``records`` (reply_records: the customer's own
    order or plan, cited) come first in every try; they answer the ticket's intent, so a draft stating them is
    at least RECORD_RELEVANCE. Written in ``locale``'s phrases; ``note`` (why its facts are English) opens it.
    A disclaimer the tenant's ``rules`` require for what the facts say (a Ledger card or payout) closes it.
    Signed with the tenant's brand (its signature and footer)."""
    records = records or []
    words = phrases(locale)
    opening, closing = opening_closing(intent, sentiment, words, tone)
    formal = tone is not None and tone.formality >= FORMAL_GREETING
    opening = f"{note}\n\n{opening}" if note else opening

    def render(facts: list[Chosen]) -> CopyDraft:
        lines = "\n".join([*(f"- {r}" for r in records),
                           *(f"- {cite_each(c.choice.quote, c.evidence.citation_id)}" for c in facts)])  # fmt: skip
        body = load("template_support_reply").render(
            greeting=words["greeting_formal" if formal else "greeting"],
            name=name or "there",
            opening=opening,
            facts=lines or ("" if intent == "praise" else f"- {words['no_fact']}"),
            closing="\n\n".join(
                [closing, *campaign_copy.required_disclaimers(rules, lines, [], "")] if rules else [closing]
            ),
            signature=brand.signature,
            footer=f"\n{brand.footer}" if brand.footer else "",
        )
        return CopyDraft(body=re.sub(r"\n{3,}", "\n\n", body), confidence=round(intent_confidence, 3))

    if intent == "praise":  # thanks claim nothing: only a praise that reads unhappy is in doubt
        draft = render([])
        draft.confidence = round(intent_confidence, 3) if sentiment in ("negative", "very_negative") else 1.0
        return Candidate(draft, draft.confidence, "praise: thanks, no facts")
    first: CopyDraft | None = None
    tries = ([chosen[:2]] if len(chosen) > 1 else []) + [[c] for c in chosen[:4]] + ([[]] if records else [])
    for facts in tries:
        draft = render(facts)
        first = first or draft
        if not check(draft):
            best = max([c.choice.relevance for c in facts[:1]] + ([RECORD_RELEVANCE] if records else []))
            draft.confidence = round(best, 3)
            why = f"support template, {len(records)} record lines and {len(facts)} cited facts"
            return Candidate(draft, draft.confidence, why)
    if first is None:
        draft = render([])
        draft.confidence = 0.2
        return Candidate(draft, 0.2, "no fact matches the ticket's product and intent")
    first.confidence = 0.3
    return Candidate(first, 0.3, "no template reply passed the guardrails")


def support_need(
    question: str, intent: str, profile: CustomerProfile | None, language: DetectedLanguage | None = None
) -> Need:
    """A ticket's need: its intent, the product line the ticket names (else the one the customer buys), the
    customer's region, and the language the ticket is written in (else the profile's)."""
    region = (profile.region or "").lower() if profile else ""
    known = (profile.language or "en").lower()[:2] if profile else "en"
    written = language.language if language else known
    return Need(
        role="support", text=question, intent=intent, language=written if written in LOCALES else "en",
        products=products_in(question) or customer_products(profile), region=region or None,
    )  # fmt: skip


def reply_locale(need: Need, chosen: list[Chosen]) -> tuple[str, str]:
    """The reply's language and the note it carries: always the customer's (greeting, openings, closings and
    their own record are in every locale); when its facts had to be English, a note in their language says so.
    (A whole reply in English for want of one translated fact was most of the dev language misses.)"""
    if need.language == "en" or not chosen or chosen[0].choice.fact.language == need.language:
        return need.language, ""
    return need.language, phrases(need.language)["english_note"]


def _profile(ctx: AgentContext, customer_id: str | None) -> CustomerProfile | None:
    if not customer_id:
        return None
    try:
        return ctx.tools.customer_profile(CustomerInput(customer_id=customer_id))
    except UnknownRecordError:
        return None


def write_reply(
    ctx: AgentContext,
    *,
    name: str,
    question: str,
    intent: str,
    sentiment: str,
    intent_confidence: float,
    tone: ToneAttributes,
    evidence: list[Hit],
    recipient_id: str | None = None,
    language: DetectedLanguage | None = None,
    agent_language: str = "en",
    injection: bool = False,
) -> AgentResult:
    """A grounded reply; ``recipient_id`` is the ticket's customer, whose own name the reply may use and whose
    product line (from the ticket, else the profile) and region decide which facts may be said. ``language`` is
    what the ticket is written in (knowledge.language); the reply carries the gist for an agent in
    ``agent_language``. A message that tried to instruct the assistant (``injection``) gets no record lines: it
    goes to a person anyway, and account data volunteered in answer to an attack is what the attack asked for."""
    need = support_need(question, intent, _profile(ctx, recipient_id), language).model_copy(update={"now": ctx.now})
    chosen = choose_facts(ctx, need, evidence)
    cites = cited_evidence(chosen, evidence)
    check = _checker(ctx, "support_reply", cites, tone, recipient_id)
    brand = ctx.tools.brand()
    locale, note = reply_locale(need, chosen)
    wanted = recipient_id is not None and not injection
    records = ctx.tools.record_facts(RecordInput(customer_id=recipient_id, intent=intent)) if wanted else []
    lines = record_lines(records, locale)
    candidate = template_reply(
        name, intent, sentiment, chosen, intent_confidence, check, brand, locale=locale, note=note, records=lines,
        tone=tone, rules=ctx.tools.content_rules(),
    )  # fmt: skip
    said = [f"[{r.citation_id}] record: {r.value}" for r in records]
    said += [f"[{c.evidence.citation_id}] {c.choice.fact.kind}: {c.choice.quote}" for c in chosen]
    routed = ctx.router.decide(
        "reply",
        schema=CopyDraft,
        prompt=load(REPLY_PROMPT),
        variables={
            "customer": name,
            "untrusted_message": fence(question),
            "intent": intent,
            "sentiment": sentiment,
            "evidence": "\n".join(said) or "(no fact matches this ticket's product and intent)",
            "brand": brand.name,
            "signature": "\n".join(x for x in (brand.signature, brand.footer) if x),
            **tone.model_dump(),
        },
        small=lambda: candidate,
        check=check,
    )
    draft = routed.value or candidate.value
    relevance = max([c.choice.relevance for c in chosen[:1]] + ([RECORD_RELEVANCE] if lines else []), default=0.0)
    reply = Reply(
        body=draft.body, citations=cited(draft.body), tier=routed.tier, passed_guardrails=not check(draft),
        evidence=cites, relevance=relevance, language=locale, customer_language=language,
        gist=ticket_gist(ctx, question, language, agent_language) if language else None, records=records,
    )  # fmt: skip
    result = AgentResult(reply, [], reply.citations)
    inputs = {"intent": intent, "sentiment": sentiment, "products": need.products, "relevance": relevance,
              "language": need.language, "reply_language": locale}  # fmt: skip
    result.add(Step("reply", routed, reply.citations, inputs))
    return result
