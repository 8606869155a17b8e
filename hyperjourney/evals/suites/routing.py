"""Canvas goal routing suite: the supervisor's goal router on a golden set written apart from its training data.

Each goal is routed exactly as the canvas supervisor does (`canvas.route_goal`): the trained intent router's plan
when its confidence reaches the threshold, else the LLM tiers the eval tier allows, else a person. On the small tier
that is the intent router alone. Accuracy counts a goal as right when it gets the
labelled plan, or goes to a person when the label is ``person`` (a request nothing in it says what to do with).
Confidently wrong plans are worse than asking a person, so they are counted on their own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from hyperjourney.evals.golden import _Strict, _validate, _yaml_items
from hyperjourney.evals.golden_runs import eval_deps
from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import DATASETS, Advance, EvalEnv, register
from hyperjourney.graphs.canvas import route_goal
from hyperjourney.graphs.wiring import Deps
from hyperjourney.models import intent_router
from hyperjourney.models.calibration import expected_calibration_error, reliability

ROUTING_GOLDEN = DATASETS / "routing_golden.yaml"
Route = Literal["campaign", "insight", "copy", "person"]
ROUTES: tuple[Route, ...] = ("campaign", "insight", "copy", "person")


class RoutingGoal(_Strict):
    text: str
    expect: Route


def load_routing_goals(path: Path = ROUTING_GOLDEN) -> list[RoutingGoal]:
    return _validate(path, _yaml_items(path, "goals"), RoutingGoal.model_validate)


def route(deps: Deps, tenant: str, goal: str, n: int = 0) -> tuple[Route, str]:
    """The plan the canvas supervisor picks for this goal (``person`` when it goes to review) and the deciding tier."""
    routed = route_goal(deps.context(tenant, f"eval-route-{n}", "canvas").router, goal)
    kind: Route = "person" if routed.needs_review or routed.value is None else routed.value.kind
    return kind, routed.tier


@dataclass(frozen=True)
class RoutingSuite:
    name: str = "routing"
    description: str = "canvas goal routing accuracy of the intent router on goals written apart from its examples"
    dataset: Path = ROUTING_GOLDEN  # the dev split; the runner points a copy at the held-out one

    def dataset_files(self) -> list[Path]:
        return [self.dataset]

    def with_dataset(self, path: Path) -> RoutingSuite:
        return replace(self, dataset=path)

    def size(self) -> int:
        return len(load_routing_goals(self.dataset))

    def item_texts(self) -> list[tuple[str, str]]:
        return [(f"route-{n:03d}", g.text) for n, g in enumerate(load_routing_goals(self.dataset), start=1)]

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        deps = eval_deps(env)
        items: list[ItemResult] = []
        pairs: Counter[tuple[str, str]] = Counter()
        tiers: Counter[str] = Counter()
        confidences: list[float] = []
        rights: list[bool] = []
        for n, goal in enumerate(load_routing_goals(self.dataset), start=1):
            got, tier = route(deps, env.tenant, goal.text, n)
            guess = intent_router.classify(goal.text)
            confidences.append(guess.confidence)
            rights.append(guess.kind == goal.expect)
            pairs[(goal.expect, got)] += 1
            tiers[tier] += 1
            items.append(
                ItemResult(
                    item_id=f"route-{n:03d}",
                    passed=got == goal.expect,
                    scores={"confidence": guess.confidence, "known_words": guess.known_words},
                    detail={"goal": goal.text, "expected": goal.expect, "got": got, "tier": tier,
                            "small_tier_guess": guess.kind},
                )
            )  # fmt: skip
            advance(1)
        metrics = routing_metrics(pairs, tiers)
        bins = reliability(confidences, rights)
        metrics["route_calibration_error"] = expected_calibration_error(bins)
        series = {
            "routing: recall per plan": Series(
                kind="bar", x=list(ROUTES), y=[metrics[f"{r}_recall"] for r in ROUTES], y_label="recall"
            ),
            # the small tier's calibrated route confidence against how often its plan was right (reliability curve)
            "calibration: route confidence": Series(
                kind="line", x=[b.mean_confidence for b in bins], y=[b.accuracy for b in bins],
                x_label="calibrated confidence of the small tier's plan", y_label="share of plans right",
            ),
        }  # fmt: skip
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series)


def routing_metrics(pairs: Counter[tuple[str, str]], tiers: Counter[str]) -> dict[str, float]:
    """Accuracy, confidently wrong share and recall per plan from (expected, got) counts; pure, for mutation tests."""
    total = sum(pairs.values())
    metrics = {
        "accuracy": sum(v for (e, g), v in pairs.items() if e == g) / total if total else 0.0,
        "confidently_wrong_share": sum(v for (e, g), v in pairs.items() if g not in (e, "person")) / total
        if total
        else 0.0,
        "goals": float(total),
    }
    metrics |= {f"decided_by.{t}": v / total for t, v in sorted(tiers.items())}
    for r in ROUTES:
        expected = sum(v for (e, _g), v in pairs.items() if e == r)
        metrics[f"{r}_recall"] = pairs[(r, r)] / expected if expected else 1.0
    return metrics


register(RoutingSuite())
