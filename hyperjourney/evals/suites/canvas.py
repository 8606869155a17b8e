"""Canvas goals suite: marketer-phrased goals through the real canvas, the rendered copy graded independently.

Each goal ("win back lapsed trail runners before spring") runs like the copy suite's briefs (`copy.draft`: the canvas
up to its approval interrupt, then rejected so nothing launches); every variant is rendered as the launch path renders
it, in the goal's language, and graded by `evals/graders.py` only: business and product line match, a CTA that fits the
goal kind, language, channel limits, required texts, no markers, no dangling-pronoun opening. Not gated until a reviewed
run of the held-out goals gives a baseline; a goal routed away from copy counts against `drafted_share`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import Field, field_validator

from hyperjourney.evals.golden import Business, _Strict, _validate, _yaml_items
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.graders import copy_metrics, grade_copy, normal_goal_kind
from hyperjourney.evals.results import ItemResult, SuiteResult
from hyperjourney.evals.suite import DATASETS, Advance, EvalEnv, register
from hyperjourney.evals.suites.copy import draft, rendered_variant, sample

CANVAS_GOALS = DATASETS / "canvas_goals.yaml"
SOURCES = "independent:evals.graders (rendered text)"


class CanvasGoal(_Strict):
    id: str | None = None
    text: str = Field(min_length=5)
    business: Business
    product_line: str | None = Field(default=None, min_length=2)  # None: the goal names no product line
    goal_kind: str
    conditions: list[str] = Field(default_factory=list)
    language: str = Field(pattern=r"^[a-z]{2}$")

    @field_validator("goal_kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        return normal_goal_kind(kind)

    @field_validator("conditions", mode="before")
    @classmethod
    def _as_list(cls, value: object) -> object:
        """A single condition, a mapping of them, or a list of typed conditions ({kind: recency, days: 90}) reads
        as a list of lines: the report shows them, nothing computes on them."""
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [f"{k}: {v}" for k, v in value.items()]
        if isinstance(value, list):
            return [
                ", ".join(f"{k}: {v}" for k, v in item.items() if v is not None) if isinstance(item, dict) else item
                for item in value
            ]
        return value


def load_canvas_goals(path: Path = CANVAS_GOALS) -> list[CanvasGoal]:
    goals = _validate(path, _yaml_items(path, "goals"), CanvasGoal.model_validate)
    return [g if g.id else g.model_copy(update={"id": f"goal-{n:03d}"}) for n, g in enumerate(goals, start=1)]


@dataclass(frozen=True)
class CanvasSuite:
    name: str = "canvas"
    description: str = "marketer goals through the canvas: business, product line, CTA per goal kind, language"
    dataset: Path = CANVAS_GOALS  # the dev split; the runner points a copy at the held-out one
    limit: int | None = None

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def with_dataset(self, path: Path) -> CanvasSuite:
        return replace(self, dataset=path)

    def goals(self) -> list[CanvasGoal]:
        goals = load_canvas_goals(self.dataset)
        return goals[: self.limit] if self.limit else goals

    def size(self) -> int:
        return len(self.goals())

    def item_texts(self) -> list[tuple[str, str]]:
        return [(str(g.id), g.text) for g in self.goals()]

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        deps = eval_deps(env)
        items: list[ItemResult] = []
        grades = []
        for goal in self.goals():
            made = draft(env, deps, goal.text)
            rendered = [rendered_variant(v, made.evidence, goal.language) for v in made.variants]
            mine = [
                grade_copy(ch, subj, body, business=goal.business, product_line=goal.product_line,
                           goal_kind=goal.goal_kind, language=goal.language)
                for ch, subj, body in rendered
            ]  # fmt: skip
            grades += mine
            cited_ids = {c for v in made.variants for c in v.get("citations", [])}
            problems = [f"{ch}: {why}" for (ch, _s, _b), g in zip(rendered, mine, strict=True) for why in g.problems]
            items.append(
                ItemResult(
                    item_id=str(goal.id),
                    passed=bool(made.variants) and not problems,
                    scores={"variants": float(len(made.variants))},
                    detail={"run_id": made.run_id, "plan": made.plan, "problems": problems,
                            "conditions": goal.conditions,
                            "sample": sample(goal.text, rendered,
                                             [e for e in made.evidence if e.citation_id in cited_ids])},
                )
            )  # fmt: skip
            advance(1)
        metrics = copy_metrics(grades) | {
            "drafted_share": sum(i.scores["variants"] > 0 for i in items) / len(items) if items else 0.0,
            "goals": float(len(items)),
        }
        sources = dict.fromkeys(metrics, SOURCES)
        return SuiteResult(suite=self.name, metrics=metrics, items=items, metric_sources=sources)


register(CanvasSuite())
