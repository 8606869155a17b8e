"""Canvas goal routing suite: the supervisor's small-tier router on a golden set written apart from its training data.

Each goal is classified exactly as the canvas supervisor does on the small tier: the intent router's plan when its
confidence reaches the router's threshold, a person otherwise. Accuracy counts a goal as right when it gets the
labelled plan, or goes to a person when the label is ``person`` (a request nothing in it says what to do with).
Confidently wrong plans are worse than asking a person, so they are counted on their own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hyperjourney.evals.golden import _Strict, _validate, _yaml_items
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import DATASETS, Advance, EvalEnv, register
from hyperjourney.models import intent_router

ROUTING_GOLDEN = DATASETS / "routing_golden.yaml"
Route = Literal["campaign", "insight", "copy", "person"]
ROUTES: tuple[Route, ...] = ("campaign", "insight", "copy", "person")


class RoutingGoal(_Strict):
    text: str
    expect: Route


def load_routing_goals(path: Path = ROUTING_GOLDEN) -> list[RoutingGoal]:
    return _validate(path, _yaml_items(path, "goals"), RoutingGoal.model_validate)


def route(goal: str, threshold: float) -> tuple[Route, intent_router.IntentGuess]:
    """The plan the canvas supervisor's small tier picks for this goal, or ``person`` below the threshold."""
    guess = intent_router.classify(goal)
    kind: Route = guess.kind if guess.confidence >= threshold else "person"  # type: ignore[assignment]
    return kind, guess


@dataclass(frozen=True)
class RoutingSuite:
    name: str = "routing"
    description: str = "canvas goal routing accuracy of the small-tier intent router (held-out goals)"

    def dataset_files(self) -> list[Path]:
        return [ROUTING_GOLDEN]

    def size(self) -> int:
        return len(load_routing_goals())

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        threshold = env.settings.router.confidence_threshold
        items: list[ItemResult] = []
        pairs: Counter[tuple[str, str]] = Counter()
        for n, goal in enumerate(load_routing_goals(), start=1):
            got, guess = route(goal.text, threshold)
            pairs[(goal.expect, got)] += 1
            items.append(
                ItemResult(
                    item_id=f"route-{n:03d}",
                    passed=got == goal.expect,
                    scores={"confidence": guess.confidence, "known_words": guess.known_words},
                    detail={"goal": goal.text, "expected": goal.expect, "got": got, "model_guess": guess.kind},
                )
            )
            advance(1)
        total = len(items)
        metrics = {
            "accuracy": sum(i.passed for i in items) / total if total else 0.0,
            "confidently_wrong_share": sum(v for (e, g), v in pairs.items() if g not in (e, "person")) / total
            if total
            else 0.0,
            "goals": float(total),
        }
        for r in ROUTES:
            expected = sum(v for (e, _g), v in pairs.items() if e == r)
            metrics[f"{r}_recall"] = pairs[(r, r)] / expected if expected else 1.0
        series = {
            "routing: recall per plan": Series(
                kind="bar", x=list(ROUTES), y=[metrics[f"{r}_recall"] for r in ROUTES], y_label="recall"
            )
        }
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series)


register(RoutingSuite())
