"""The ordered model tiers: small (in-process, no tokens), then llm-small and llm-large chat endpoints.

A tier holds a chat model only when it is configured; an absent tier is a reason to send work to
human review, never something to skip silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models.chat_models import BaseChatModel

from hyperjourney.settings import LLMTier, Settings

TierName = Literal["small", "llm-small", "llm-large"]
LLM_TIERS: tuple[TierName, ...] = ("llm-small", "llm-large")
ORDER: tuple[TierName, ...] = ("small", *LLM_TIERS)


@dataclass(frozen=True)
class ChatTier:
    """One configured LLM tier: its chat model and prices (USD per 1,000 tokens)."""

    name: TierName
    model_name: str
    chat: BaseChatModel
    cost_per_1k_input: float = 0.0
    cost_per_1k_output: float = 0.0

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return input_tokens / 1000 * self.cost_per_1k_input + output_tokens / 1000 * self.cost_per_1k_output


@dataclass(frozen=True)
class Tiers:
    """The LLM tiers that exist in this deployment, by name."""

    chats: dict[TierName, ChatTier] = field(default_factory=dict)

    def get(self, name: TierName) -> ChatTier | None:
        return self.chats.get(name)

    def after(self, name: TierName) -> tuple[TierName, ...]:
        """The tiers above ``name``, in escalation order."""
        return ORDER[ORDER.index(name) + 1 :]

    @property
    def configured(self) -> list[TierName]:
        return [n for n in LLM_TIERS if n in self.chats]


def chat_openai(tier: LLMTier) -> BaseChatModel:
    """A ChatOpenAI client for any OpenAI-compatible endpoint; no retries so escalation stays fast."""
    from langchain_openai import ChatOpenAI

    api_key = tier.api_key.get_secret_value() if tier.api_key else "not-needed"
    return ChatOpenAI(
        model=tier.model or "",
        base_url=tier.base_url,
        api_key=api_key,
        temperature=0,
        max_retries=0,
        timeout=60,
    )


def from_settings(settings: Settings) -> Tiers:
    chats: dict[TierName, ChatTier] = {}
    configs: tuple[tuple[TierName, LLMTier], ...] = (
        ("llm-small", settings.llm_small),
        ("llm-large", settings.llm_large),
    )
    for name, cfg in configs:
        if cfg.configured:
            chats[name] = ChatTier(
                name, cfg.model or "", chat_openai(cfg), cfg.cost_per_1k_input, cfg.cost_per_1k_output
            )
    return Tiers(chats)
