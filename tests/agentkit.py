"""Test kit for the agent system: a scripted chat model and helpers to build tiers and deps around it.

The scripted model answers structured-output calls from a script, records every call in ``.calls``,
fails on a call the script did not expect, and ``assert_done()`` fails on scripted steps never used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.util import find_spec
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field, ValidationError

from hyperjourney.journeys.launch import LaunchResult
from hyperjourney.knowledge.models import Hit
from hyperjourney.models.tiers import ChatTier, TierName, Tiers
from hyperjourney.scoring.schema import Segment, SegmentQuery

USAGE = {"input_tokens": 120, "output_tokens": 30, "total_tokens": 150}


class ScriptedChatModel(BaseChatModel):
    """Answers from ``script`` in order: a dict/model is JSON content, a str is raw content, an exception is raised."""

    script: list[Any]
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    unexpected: list[str] = Field(default_factory=list)
    label: str = "scripted"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(list(messages))
        if not self.script:  # recorded too: the router treats a raising model as a failed tier
            self.unexpected.append(str(messages[-1].content))
            raise AssertionError(f"{self.label}: unexpected call #{len(self.calls)}: {messages[-1].content!r}")
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        if isinstance(item, BaseModel):
            content = item.model_dump_json()
        elif isinstance(item, dict):
            content = json.dumps(item)
        else:
            content = str(item)
        message = AIMessage(content=content, usage_metadata=USAGE)  # type: ignore[arg-type]
        return ChatResult(generations=[ChatGeneration(message=message)])

    def with_structured_output(  # type: ignore[override]
        self, schema: type[BaseModel], *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        def run(messages: Any) -> Any:
            raw = self.invoke(messages)
            try:
                parsed, error = schema.model_validate_json(str(raw.content)), None
            except ValidationError as exc:
                parsed, error = None, exc
            return {"raw": raw, "parsed": parsed, "parsing_error": error} if include_raw else parsed

        return RunnableLambda(run)

    def bind_tools(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("agents use structured output, not tool calling")

    def prompts(self) -> list[str]:
        """Every message text this model was sent, call by call."""
        return ["\n".join(str(m.content) for m in call) for call in self.calls]

    def assert_done(self) -> None:
        assert not self.unexpected, f"{self.label}: calls the script did not expect: {self.unexpected}"
        assert not self.script, f"{self.label}: scripted steps never used: {self.script}"


def scripted_tiers(
    small: Sequence[Any] | None = None, large: Sequence[Any] | None = None, *, cost_per_1k: float = 0.0
) -> tuple[Tiers, dict[TierName, ScriptedChatModel]]:
    """Tiers with a scripted model for each script given (None = that tier is not configured)."""
    models: dict[TierName, ScriptedChatModel] = {}
    chats: dict[TierName, ChatTier] = {}
    for name, script in (("llm-small", small), ("llm-large", large)):
        if script is not None:
            model = ScriptedChatModel(script=list(script), calls=[], unexpected=[], label=name)
            tier: TierName = name  # type: ignore[assignment]
            models[tier] = model
            chats[tier] = ChatTier(tier, f"{name}-scripted", model, cost_per_1k, cost_per_1k)
    return Tiers(chats), models


class RecordingLauncher:
    """A launcher that remembers each plan it was handed (to prove launches happen exactly once)."""

    name = "test: recording launcher"

    def __init__(self) -> None:
        self.launched: list[tuple[str, str, dict[str, Any]]] = []

    def launch(self, tenant: str, run_id: str, plan: dict[str, Any]) -> LaunchResult:
        self.launched.append((tenant, run_id, plan))
        return launched(run_id)


def launched(run_id: str) -> LaunchResult:
    """What a launch that enrolled nobody reports (the journey id derived from the run)."""
    return LaunchResult(journey_id=f"jrn-{run_id[-6:]}", version=1, status="launched", enrolled=0, holdout=0,
                        actions_queued=0, detail="test")  # fmt: skip


def hit(citation_id: str, text: str, *, title: str = "", doc_type: str = "faq", score: float = 1.0) -> Hit:
    """A knowledge hit as the search returns it, for agent tests that choose their own evidence."""
    document, _, chunk = citation_id.partition("#")
    return Hit(citation_id=citation_id, document_id=document, chunk_index=int(chunk or 0), title=title, section="",
               doc_type=doc_type, region="global", language="en", audience="customer", snippet=text[:240], text=text,
               score=score, updated_at=FIXED_NOW)  # fmt: skip


def segment(name: str, size: int, baseline: dict[str, float] | None = None) -> Segment:
    """A segment as the scoring domain returns it (no filters), for agent tests that size their own."""
    return Segment(name=name, definition=SegmentQuery(), size=size, customer_ids=[], why=[], baseline=baseline or {})


FIXED_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> Callable[[], datetime]:
    return lambda: FIXED_NOW


def seed_small_tenant(db: Any, prefix: str = "agents") -> str:
    """A small seeded tenant (400 customers, 30 tickets) for flows that need real customers and tickets."""
    import uuid

    from hyperjourney.data.demo_tenant import seed

    tenant = f"{prefix}-{uuid.uuid4().hex[:8]}"
    seed(db, tenant, customers=400, events=4000, tickets=30)
    if find_spec("hyperjourney.knowledge.ingest") is not None:  # the real search needs the demo KB ingested
        from importlib import import_module, resources

        kb = resources.files("hyperjourney") / "knowledge" / "kb" / "demo"
        import_module("hyperjourney.knowledge.ingest").ingest_path(db, tenant, str(kb))
    return tenant
