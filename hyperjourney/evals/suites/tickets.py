"""Tickets suite: the tenant's active ticket classifiers scored on its own labelled hold-out.

The hold-out is the one training judged the model on (`scoring.text.split`: per label, its latest 20% in time
order). Training then refits the stored model on every labelled ticket, so for the active model these tickets are
in-sample: its figures here are an upper bound, reported as `NAME.refit_*`. The honest out-of-sample figures are
the ones measured at validation time, before the refit, and stored with the model version: `NAME.validation_*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import recall_score

from hyperjourney.evals.results import ItemResult, Series, SuiteResult
from hyperjourney.evals.suite import Advance, EvalEnv, register
from hyperjourney.scoring import registry
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.text import TextModel, holdout_quality, labelled_pairs, labelled_tickets, predict
from hyperjourney.scoring.text import split as holdout_split
from hyperjourney.scoring.train import TEXT_MODELS

WORST = 5  # per-label recall is reported for this many of the worst-recalled labels
SOURCES = {
    "validation_": "stored with the model version: measured on this hold-out before the refit (out of sample)",
    "refit_": "the active (refitted) model on this hold-out; these tickets were in its training data (in sample)",
    "recall.": "the active model's recall of this label on the hold-out (in sample), worst labels only",
    "held_out": "held-out tickets: per label, its latest 20% in time order (the split training used)",
    "unknown_labels": "held-out tickets whose label the active model does not know (labelled after training)",
    "labelled_since_training": "labelled tickets now minus those the model version was trained and validated on",
}


@dataclass(frozen=True)
class TicketsSuite:
    name: str = "tickets"
    description: str = (
        "the tenant's active ticket_intent (and ticket_sentiment) on its own labelled hold-out: validation-time "
        "accuracy/macro-F1 (before refit) and the refitted model's (in sample), majority baseline, worst recalls"
    )

    def dataset_files(self) -> list[Path]:
        return []

    def size(self) -> int:
        return len(TEXT_MODELS)

    def run(self, env: EvalEnv, advance: Advance) -> SuiteResult:
        with env.db.tenant(env.tenant) as conn:
            rows = labelled_tickets(conn)
            active = registry.active_versions(conn)
            versions = {n: registry.get(conn, n, active[n]) for n in TEXT_MODELS if n in active}
        if not rows:
            raise ModelsNotTrainedError(
                f"tenant {env.tenant!r} has no labelled tickets (labels.intent with a customer message): the "
                "tickets suite scores the tenant's own hold-out; ingest labelled tickets and run "
                "`hyperjourney models train ticket_intent`"
            )
        if versions.get("ticket_intent") is None:
            raise ModelsNotTrainedError(
                f"tenant {env.tenant!r} has no active ticket_intent model of its own (the packaged one is not "
                "trained on its labels); run `hyperjourney models train ticket_intent`"
            )
        metrics: dict[str, float] = {}
        items: list[ItemResult] = []
        series: dict[str, Series] = {}
        sources: dict[str, str] = {}
        for name in TEXT_MODELS:
            version = versions.get(name)
            if version is None or version.artifact is None:
                advance(1)
                continue
            ids, pairs = labelled_pairs(rows, name)
            train, held = holdout_split([y for _, y in pairs])
            actual = [pairs[i][1] for i in held]
            model = TextModel(version.artifact)
            predicted = predict(model, [pairs[i][0] for i in held])
            now = holdout_quality(actual, predicted, [pairs[i][1] for i in train])
            stored = version.metrics
            known = set(model.classes)
            labels = sorted(set(actual))
            recalls = recall_score(actual, predicted, labels=labels, average=None, zero_division=0)
            worst = sorted(zip(labels, (float(r) for r in recalls), strict=True), key=lambda p: (p[1], p[0]))[:WORST]
            trained_on = int(stored.get("train_n", 0)) + int(stored.get("n", 0))
            figures = {
                "held_out": float(len(held)),
                "unknown_labels": float(sum(y not in known for y in actual)),
                "labelled_since_training": float(len(pairs) - trained_on),
                "baseline_accuracy": now["baseline_accuracy"],
                "baseline_macro_f1": now["baseline_macro_f1"],
                "refit_accuracy": now["accuracy"],
                "refit_macro_f1": now["macro_f1"],
                "validation_accuracy": float(stored["accuracy"]),
                "validation_macro_f1": float(stored["macro_f1"]),
                "validation_n": float(stored["n"]),
            } | {f"recall.{label}": r for label, r in worst}
            for key, value in figures.items():
                metrics[f"{name}.{key}"] = value
                source = next((s for prefix, s in SOURCES.items() if key.startswith(prefix)), None)
                sources[f"{name}.{key}"] = (
                    source or f"the most common training label ({now['baseline']}) on the hold-out"
                )
            items += [
                ItemResult(
                    item_id=f"{name}:{ids[i]}",
                    passed=p == y,
                    detail={"model": version.label, "ticket_id": ids[i], "label": y, "predicted": p},
                )
                for i, y, p in zip(held, actual, predicted, strict=True)
            ]
            series[f"worst recall: {name}"] = Series(
                kind="bar", x=[label for label, _ in worst], y=[r for _, r in worst], x_label="label", y_label="recall"
            )
            advance(1)
        return SuiteResult(suite=self.name, metrics=metrics, items=items, series=series, metric_sources=sources)


register(TicketsSuite())
