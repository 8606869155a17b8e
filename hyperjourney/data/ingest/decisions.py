"""The `decisions` ingest kind: logged bandit rounds from any system, for off-policy evaluation.

One row per round: the context features seen, the candidate actions, the action taken with the logging
policy's propensity, the reward observed and the slot it was shown in. Rows land in ``logged_decisions``
keyed by (log, round_id), so re-ingesting a file adds nothing.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import AwareDatetime, Field, field_validator, model_validator

from hyperjourney.data.ingest.datasets import Dataset, Stage
from hyperjourney.data.ingest.rows import ID, Row


def _candidates(value: Any) -> Any:
    """CSV cells carry the candidate list as JSON text; other formats carry a list."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    return value


def _context(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool) or (isinstance(item, float) and not math.isfinite(item)):
            raise ValueError(f"feature {key!r} must be a finite number, a boolean or a string")
    return value


class DecisionRow(Row):
    log: str = Field("default", min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
    round_id: str = ID
    ts: AwareDatetime | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    candidates: list[str] = Field(default_factory=list)
    action: str = ID
    propensity: float = Field(gt=0, le=1)
    reward: float = Field(allow_inf_nan=False)
    position: int = Field(0, ge=0)

    _context = field_validator("context", mode="before")(_context)
    _candidates = field_validator("candidates", mode="before")(_candidates)

    @model_validator(mode="after")
    def _action_among_candidates(self) -> DecisionRow:
        if self.candidates and self.action not in self.candidates:
            raise ValueError(f"action {self.action!r} is not among the candidates")
        return self


_COLUMNS = (
    ("log", "text"),
    ("round_id", "text"),
    ("ts", "timestamptz"),
    ("context", "jsonb"),
    ("candidates", "jsonb"),
    ("action", "text"),
    ("propensity", "double precision"),
    ("reward", "double precision"),
    ("position", "integer"),
)
_NAMES = ", ".join(c for c, _ in _COLUMNS)


def _stage(row: DecisionRow) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "stage_logged_decisions": [
            (
                row.log,
                row.round_id,
                row.ts,
                json.dumps(row.context),
                json.dumps(row.candidates),
                row.action,
                row.propensity,
                row.reward,
                row.position,
            )
        ]
    }


DECISIONS = Dataset(
    name="decisions",
    row_model=DecisionRow,
    target="logged_decisions",
    stages=(Stage("stage_logged_decisions", _COLUMNS),),
    to_stage=_stage,
    inserts=(
        (
            "logged_decisions",
            f"INSERT INTO logged_decisions (tenant_id, {_NAMES}) "
            f"SELECT DISTINCT ON (log, round_id) current_tenant(), {_NAMES} FROM stage_logged_decisions "
            "ORDER BY log, round_id, line ON CONFLICT DO NOTHING",
        ),
    ),
)
