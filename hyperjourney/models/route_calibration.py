"""Fit the route decision's calibration table (offline; `python -m hyperjourney.models.route_calibration`).

Each packaged routing example is scored by a router trained on the other folds (5 stratified folds, its
vocabulary from those folds too, as at run time), so the table maps the scores the router gives text it never
saw to how often that plan was right. Rerun after editing `route_examples.yaml`: a test fails while the shipped
table was fitted on other examples.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hyperjourney.models import intent_router
from hyperjourney.models.calibration import CalibrationTable, fingerprint, fit_isotonic

FOLDS = 5


def examples_text() -> str:
    return (resources.files("hyperjourney.models") / "route_examples.yaml").read_text(encoding="utf-8")


def out_of_fold() -> tuple[list[float], list[bool]]:
    from sklearn.model_selection import StratifiedKFold

    data = intent_router.examples()
    texts = [t for ts in data.values() for t in ts]
    labels = [k for k, ts in data.items() for _ in ts]
    raw, right = [0.0] * len(texts), [False] * len(texts)
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, labels):
        model = intent_router.pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
        vocabulary = {w for i in train for w in intent_router.content_words(texts[i])}
        for i, probs in zip(test, model.predict_proba([texts[i] for i in test]), strict=True):
            words = intent_router.content_words(texts[i])
            known = sum(w in vocabulary for w in words) / len(words) if words else 0.0
            top = int(probs.argmax())
            raw[i] = intent_router.raw_score(float(probs[top]), known)
            right[i] = str(model.classes_[top]) == labels[i]
    return raw, right


def fit() -> CalibrationTable:
    raw, right = out_of_fold()
    return fit_isotonic(
        raw, right, decision="route", sha=fingerprint(examples_text()),
        fitted_on=f"models/route_examples.yaml, {FOLDS}-fold out-of-fold scores of {intent_router.MODEL_VERSION}",
    )  # fmt: skip


if __name__ == "__main__":
    path = Path(str(resources.files("hyperjourney.models"))) / intent_router.CALIBRATION_FILE
    path.write_text(fit().model_dump_json(indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
