"""Copywriter: grounded copy — brand templates filled with retrieved facts on the small tier, LLM drafts above it.

Every claim carries an inline [cite:<id>]; each draft passes the guardrails or is escalated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext, AgentResult, Step
from hyperjourney.agents.researcher import ResearchBrief
from hyperjourney.data.brand import Brand
from hyperjourney.guardrails.fence import fence
from hyperjourney.guardrails.models import Asset
from hyperjourney.guardrails.tone import ToneAttributes
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.router import Candidate, Stakes
from hyperjourney.prompts.loader import load
from hyperjourney.tools.toolbox import SearchInput, ValidateInput

PROMPT = "copywriter_variant"
REPLY_PROMPT = "copilot_reply"
CHANNELS: tuple[Literal["email", "sms"], ...] = ("email", "sms")
BRAND_TONE = {
    "email": ToneAttributes(formality=0.5, warmth=0.5, brevity=0.6),
    "sms": ToneAttributes(formality=0.5, warmth=0.5, brevity=0.9),
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
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


class CopyVariant(BaseModel):
    channel: Literal["email", "sms", "push", "in_app"]
    subject: str | None = None
    body: str = Field(min_length=1)
    citations: list[str] = Field(default_factory=list)
    tier: str = "human"
    passed_guardrails: bool = False


class CopySet(BaseModel):
    variants: list[CopyVariant]
    evidence: list[Hit] = Field(default_factory=list, description="what the variants may cite (edits too)")


class Reply(BaseModel):
    body: str
    citations: list[str]
    tier: str
    passed_guardrails: bool


def cited(text: str) -> list[str]:
    return list(dict.fromkeys(_CITE.findall(text)))


def _value(sentence: str, words: set[str]) -> float:
    """Shared words with the question, and a measured result (a number) is worth quoting."""
    return len(words & set(re.findall(r"[a-z0-9]+", sentence.lower()))) + (1.5 if re.search(r"\d", sentence) else 0)


def _sentences(evidence: Hit) -> list[str]:
    lines = [ln.strip(" -*|") for ln in evidence.text.splitlines() if ln.strip() and not ln.startswith("#")]
    text = re.sub(r"\*\*([^*]*)\*\*:?", r"\1", " ".join(lines)).replace("**", "")
    return [s.strip(" -*") for s in _SENTENCE.split(text) if 30 <= len(s) <= 300]


def ranked_facts(evidence: list[Hit], query: str, *, max_chars: int = 300) -> list[tuple[str, Hit]]:
    """Quotable sentences across the top chunks, best first, each with the chunk to cite."""
    words = set(re.findall(r"[a-z0-9]+", query.lower()))
    options = [(s, e) for e in evidence[:4] for s in _sentences(e) if len(s) <= max_chars]
    return sorted(options, key=lambda o: -_value(o[0], words))


def _checker(
    ctx: AgentContext,
    kind: Literal["email", "sms", "support_reply"],
    evidence: list[Hit],
    tone: ToneAttributes,
    recipient_id: str | None = None,
) -> Callable[[CopyDraft], list[str]]:
    """Guardrail failures of a draft; memoised per text, since the template search, the router and the final
    verdict all ask about the same drafts (one validation costs ~100 ms)."""
    seen: dict[tuple[str | None, str], list[str]] = {}

    def check(draft: CopyDraft) -> list[str]:
        key = (draft.subject, draft.body)
        if key not in seen:
            asset = Asset(
                kind=kind, subject=draft.subject, body=draft.body, tone=tone, citations=cited(draft.body),
                recipient_id=recipient_id,
            )  # fmt: skip
            seen[key] = ctx.tools.validate_asset(ValidateInput(asset=asset, evidence=evidence)).messages()
        return seen[key]

    return check


def template_variant(
    channel: str,
    brief: ResearchBrief,
    evidence: list[Hit],
    check: Callable[[CopyDraft], list[str]],
    brand: Brand,
) -> Candidate[CopyDraft]:
    """Fill the brand template with a retrieved fact and its citation: the best-ranked fact whose draft passes
    the guardrails (up to five tried), else the best-ranked draft, with low confidence, for escalation.
    The copy names and signs with the tenant's own brand and ends with its marketing footer."""
    facts = ranked_facts(evidence, f"{brief.query.metric} {brief.goal}", max_chars=110 if channel == "sms" else 300)
    if not facts:
        return Candidate(CopyDraft(subject=None, body="(no evidence found)", confidence=0.1), 0.1, "no evidence")
    drafts = []
    for fact, proof in facts[:5]:
        proof_text = f"{fact} [cite:{proof.citation_id}]"
        if channel == "sms":
            draft = CopyDraft(body=load("template_sms_canvas").render(brand=brand.name, proof=proof_text).strip())
        else:
            subject = f"An idea for your team from {brand.name}"
            body = (
                load("template_email_canvas")
                .render(subject=subject, proof=proof_text, brand=brand.name, marketing_footer=brand.email_footer())
                .split("\n", 2)[-1]
            )
            draft = CopyDraft(subject=subject, body=body.strip())
        if not check(draft):
            draft.confidence = 0.8
            return Candidate(draft, 0.8, f"brand template with {proof.citation_id}")
        drafts.append((draft, proof))
    draft, proof = drafts[0]
    draft.confidence = 0.4
    return Candidate(draft, 0.4, f"no template draft passed the guardrails (best: {proof.citation_id})")


def write_variants(ctx: AgentContext, brief: ResearchBrief) -> AgentResult:
    query = f"{brief.segment.name} {brief.query.metric} {brief.goal}"
    evidence = ctx.tools.search_knowledge(SearchInput(query=query, doc_types=["case_study", "product"], k=4)).hits
    result = AgentResult(CopySet(variants=[]), [], [e.citation_id for e in evidence])
    block = "\n".join(f"[{e.citation_id}] {e.title}: {e.snippet}" for e in evidence)
    variants: list[CopyVariant] = []
    brand = ctx.tools.brand()
    for channel in CHANNELS:
        check = _checker(ctx, channel, evidence, BRAND_TONE[channel])
        candidate = template_variant(channel, brief, evidence, check, brand)
        routed = ctx.router.decide(
            f"copy:{channel}",
            schema=CopyDraft,
            prompt=load(PROMPT),
            variables={
                "channel": channel,
                "brand": brand.name,
                "segment": brief.segment.name,
                "evidence": block,
                **BRAND_TONE[channel].model_dump(),
            },
            small=lambda candidate=candidate: candidate,  # type: ignore[misc]
            stakes=Stakes(regulated_claim=bool(_REGULATED.search(candidate.value.body))),
            check=check,
        )
        draft = routed.value or candidate.value
        passed = not check(draft)
        variants.append(
            CopyVariant(
                channel=channel,
                subject=draft.subject,
                body=draft.body,
                citations=cited(draft.body),
                tier=routed.tier,
                passed_guardrails=passed,
            )
        )
        result.add(Step(f"copy:{channel}", routed, cited(draft.body), {"segment": brief.segment.name}))
    result.output = CopySet(variants=variants, evidence=evidence)
    return result


def revalidate(ctx: AgentContext, variants: list[CopyVariant], evidence: list[Hit]) -> list[str]:
    """Guardrail failures of edited variants (an edit is accepted only when this is empty)."""
    problems = []
    for v in variants:
        kind: Literal["email", "sms", "support_reply"] = "sms" if v.channel == "sms" else "email"
        for failure in _checker(ctx, kind, evidence, BRAND_TONE[kind])(CopyDraft(subject=v.subject, body=v.body)):
            problems.append(f"{v.channel}: {failure}")
    return problems


def template_reply(
    name: str, question: str, evidence: list[Hit], intent_confidence: float,
    check: Callable[[CopyDraft], list[str]], brand: Brand,
) -> Candidate[CopyDraft]:  # fmt: skip
    """The support template filled with the best-matching facts, each cited: two facts if they pass the
    guardrails together, else the first single fact that does; confidence is bounded by the intent's.
    Signed with the tenant's brand (its signature and footer)."""
    words = set(re.findall(r"[a-z0-9]+", question.lower()))
    facts = ranked_facts(evidence, question)
    unique: list[tuple[str, Hit]] = []
    for sentence, e in facts:  # on topic (shares 2+ words with the question) and not a repeat of one kept
        shared = len(words & set(re.findall(r"[a-z0-9]+", sentence.lower())))
        if shared >= 2 and not any(sentence in k or k in sentence for k, _ in unique):
            unique.append((sentence, e))
    unique = unique or facts[:1]
    options = [unique[:2], *([f] for f in unique[:4])] if unique else [[]]
    first: CopyDraft | None = None
    for chosen in options:
        lines = "\n".join(f"- {sentence} [cite:{e.citation_id}]" for sentence, e in chosen)
        body = load("template_support_reply").render(
            name=name or "there",
            opening="Thanks for reaching out, and sorry for the trouble. Here is what I can tell you:",
            facts=lines or "- A specialist will follow up with the details.",
            closing="Reply here if anything is unclear and we will take it from there.",
            signature=brand.signature,
            footer=f"\n{brand.footer}" if brand.footer else "",
        )
        draft = CopyDraft(body=body, confidence=round(intent_confidence, 3))
        first = first or draft
        if chosen and not check(draft):
            return Candidate(draft, draft.confidence, f"support template, {len(chosen)} cited facts")
    assert first is not None
    first.confidence = 0.3
    return Candidate(first, 0.3, "no template reply passed the guardrails")


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
) -> AgentResult:
    """A grounded reply; ``recipient_id`` is the ticket's customer, whose own name the reply may use."""
    check = _checker(ctx, "support_reply", evidence, tone, recipient_id)
    brand = ctx.tools.brand()
    candidate = template_reply(name, question, evidence, intent_confidence, check, brand)
    routed = ctx.router.decide(
        "reply",
        schema=CopyDraft,
        prompt=load(REPLY_PROMPT),
        variables={
            "customer": name,
            "untrusted_message": fence(question),
            "intent": intent,
            "sentiment": sentiment,
            "evidence": "\n".join(f"[{e.citation_id}] {e.title}: {e.snippet}" for e in evidence),
            "brand": brand.name,
            "signature": "\n".join(x for x in (brand.signature, brand.footer) if x),
            **tone.model_dump(),
        },
        small=lambda: candidate,
        check=check,
    )
    draft = routed.value or candidate.value
    reply = Reply(body=draft.body, citations=cited(draft.body), tier=routed.tier, passed_guardrails=not check(draft))
    result = AgentResult(reply, [], reply.citations)
    result.add(Step("reply", routed, reply.citations, {"intent": intent, "sentiment": sentiment}))
    return result
