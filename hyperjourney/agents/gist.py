"""The ticket's gist for the support agent, translated when the customer wrote in another language.

Translation needs a language model: with an LLM tier configured the router asks it; with none the agent sees
the customer's own first lines marked "not translated", never a guess.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from hyperjourney.agents.base import AgentContext
from hyperjourney.guardrails.fence import fence
from hyperjourney.knowledge.language import DetectedLanguage
from hyperjourney.prompts.loader import load

PROMPT = "ticket_gist"
GIST_CHARS = 280


class GistDraft(BaseModel):
    """The output schema of the gist decision."""

    text: str = Field(min_length=1, description="What the customer asks or reports, in the agent's language")
    confidence: float = Field(0.7, ge=0, le=1, description="How sure the model is the gist is faithful")


class Gist(BaseModel):
    """What the agent reads first when the ticket is not in their language."""

    text: str = Field(description="The gist in the agent's language, or the customer's own words if not translated")
    language: str = Field(description="The language ``text`` is in")
    translated: bool
    note: str = Field("", description="Why it is not translated, shown beside it")


def _excerpt(text: str) -> str:
    return text if len(text) <= GIST_CHARS else text[: GIST_CHARS - 1].rsplit(" ", 1)[0] + "…"


def ticket_gist(ctx: AgentContext, text: str, language: DetectedLanguage, agent_language: str) -> Gist | None:
    """None when the ticket is already in the agent's language; else the translated gist (LLM tier) or the
    untranslated excerpt with a note saying why."""
    if language.language == agent_language:
        return None
    if not ctx.router.tiers.configured:
        note = f"not translated: no LLM tier is configured to translate from {language.language}"
        return Gist(text=_excerpt(text), language=language.language, translated=False, note=note)
    routed = ctx.router.decide(
        "gist",
        schema=GistDraft,
        prompt=load(PROMPT),
        variables={"agent_language": agent_language, "language": language.language, "untrusted_message": fence(text)},
    )
    if routed.value is None:
        return Gist(text=_excerpt(text), language=language.language, translated=False,
                    note=f"not translated: the LLM tiers gave no gist ({routed.reason})")  # fmt: skip
    return Gist(text=routed.value.text, language=agent_language, translated=True)
