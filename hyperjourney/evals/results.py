"""What a suite run produces: metrics, per-item outcomes, plot series, and the context that explains changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hyperjourney.evals.near_duplicates import NearDuplicate
from hyperjourney.monitoring.drift import DriftReport

Tier = Literal["small", "llm-small", "llm-large"]


class ItemResult(BaseModel):
    item_id: str = Field(description="Id of the golden item in the suite's dataset")
    passed: bool
    scores: dict[str, float] = Field(default_factory=dict)
    detail: dict[str, Any] = Field(default_factory=dict, description="What a person needs to see why it failed")


class Series(BaseModel):
    """Data for one plot in the report (calibration curve, lift by decile, router mix, latency distribution)."""

    kind: Literal["line", "bar", "hist"]
    x: list[float | str] = Field(default_factory=list)
    y: list[float] = Field(default_factory=list)
    x_label: str = ""
    y_label: str = ""


class SuiteResult(BaseModel):
    suite: str
    metrics: dict[str, float]
    items: list[ItemResult] = Field(default_factory=list)
    series: dict[str, Series] = Field(default_factory=dict)
    judge: str | None = Field(None, description="The LLM judge (tier:model) behind judged metrics; None offline")
    metric_sources: dict[str, str] = Field(
        default_factory=dict, description="Metric -> what computed it (a ragas metric or one of our own checks)"
    )


class SplitInfo(BaseModel):
    """What one split (dev, held-out) of a run was: its files, their content hash and how many items it scored."""

    files: list[str]
    hash: str
    items: int = Field(ge=0)


class RunContext(BaseModel):
    """Everything that can make two runs differ; `eval compare` shows the keys that changed."""

    code_version: str
    dataset: str = Field(description="Content hash of the suite's golden dataset")
    prompts: dict[str, str] = Field(default_factory=dict, description="Prompt name -> content hash")
    models: dict[str, str | None] = Field(
        default_factory=dict, description="LLM tier -> the model the run's tier let the graphs call (None: not allowed)"
    )
    policies: dict[str, str] = Field(default_factory=dict, description="Policy file -> content hash")
    data: dict[str, Any] = Field(default_factory=dict, description="Row counts of the tenant's data")
    judge: str | None = Field(None, description="The LLM judge (tier:model) behind judged metrics; None offline")
    metric_sources: dict[str, str] = Field(default_factory=dict, description="Metric -> what computed it")
    splits: dict[str, SplitInfo] = Field(default_factory=dict, description="Split (dev, held_out) -> what it held")
    near_duplicates: dict[str, list[NearDuplicate]] = Field(
        default_factory=dict, description="Split -> its items that are near-copies of training data or of dev items"
    )


class EvalRun(BaseModel):
    run_id: str
    suite: str
    tier: Tier
    started_at: datetime
    finished_at: datetime | None
    context: RunContext
    metrics: dict[str, float]
    series: dict[str, Series] = Field(default_factory=dict)
    drift: DriftReport | None = Field(None, description="The tenant's drift, measured when the run started")
