"""The tickets suite scores a tenant's own ticket_intent on the hold-out training used, figures recomputed here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, recall_score

import hyperjourney.evals.suites  # noqa: F401  (registers the suites)
from hyperjourney.db.database import Database
from hyperjourney.evals import runner
from hyperjourney.evals.suite import REGISTRY, EvalEnv
from hyperjourney.scoring import registry
from hyperjourney.scoring.scorer import ModelsNotTrainedError
from hyperjourney.scoring.text import TextModel, labelled_tickets, split
from hyperjourney.scoring.train import train_ticket_models
from hyperjourney.settings import get_settings
from tests.cli_runner import invoke
from tests.scoring.test_text_tenant_labels import _TOPICS, _ingest, _tickets


def test_suite_scores_the_active_model_on_the_training_hold_out(db: Database, tenant: str, tmp_path: Path) -> None:
    _ingest(db, tenant, _tickets(4, seed=7), tmp_path / "tickets.csv")
    train_ticket_models(db, tenant)
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())

    run = runner.run_suite(env, REGISTRY["tickets"])

    with db.tenant(tenant) as conn:
        model = registry.get(conn, "ticket_intent")
        tickets = labelled_tickets(conn)
        items = conn.execute(
            "SELECT item_id, passed, detail FROM eval_items WHERE run_id = %s ORDER BY item_id", (run.run_id,)
        ).fetchall()
    assert model is not None and model.artifact is not None and model.active
    labels = [t.intent for t in tickets]
    train, held = split(labels)
    clf = TextModel(model.artifact)
    predicted = [clf.classes[int(np.argmax(clf.proba(clf.tfidf(tickets[i].text))))] for i in held]
    actual = [labels[i] for i in held]
    majority = Counter(labels[i] for i in train).most_common(1)[0][0]
    m = run.metrics
    assert len(set(labels)) == len(_TOPICS) >= 30
    assert m["ticket_intent.held_out"] == len(held) == model.metrics["n"]
    assert m["ticket_intent.unknown_labels"] == 0 and m["ticket_intent.labelled_since_training"] == 0
    assert m["ticket_intent.refit_accuracy"] == pytest.approx(accuracy_score(actual, predicted))
    assert m["ticket_intent.refit_macro_f1"] == pytest.approx(f1_score(actual, predicted, average="macro"))
    assert m["ticket_intent.baseline_accuracy"] == pytest.approx(actual.count(majority) / len(actual))
    assert m["ticket_intent.validation_accuracy"] == model.metrics["accuracy"]
    assert m["ticket_intent.validation_macro_f1"] == model.metrics["macro_f1"]
    # the refit saw the hold-out, the validation fit did not: the in-sample figure is the higher one
    assert m["ticket_intent.refit_accuracy"] > m["ticket_intent.validation_accuracy"]
    per_label = dict(
        zip(sorted(set(actual)), recall_score(actual, predicted, labels=sorted(set(actual)), average=None), strict=True)
    )
    worst = sorted(per_label.items(), key=lambda p: (p[1], p[0]))[:5]
    assert {k: v for k, v in m.items() if ".recall." in k} == {f"ticket_intent.recall.{k}": v for k, v in worst}
    assert "in sample" in run.context.metric_sources["ticket_intent.refit_accuracy"]
    assert not any(k.startswith("ticket_sentiment.") for k in m)  # no sentiment labels: no sentiment model
    assert [r[0] for r in items] == sorted(f"ticket_intent:{tickets[i].ticket_id}" for i in held)
    by_ticket = {r[2]["ticket_id"]: r for r in items}
    for i, p in zip(held, predicted, strict=True):
        _, passed, detail = by_ticket[tickets[i].ticket_id]
        assert (detail["label"], detail["predicted"], passed) == (labels[i], p, labels[i] == p)


def test_a_tenant_without_labelled_tickets_gets_a_clear_message(db: Database, tenant: str) -> None:
    env = EvalEnv(db=db, tenant=tenant, tier="small", settings=get_settings())
    with pytest.raises(ModelsNotTrainedError, match="no labelled tickets"):
        runner.run_suite(env, REGISTRY["tickets"])

    code, output = invoke("eval", "run", "tickets", "--tenant", tenant)
    assert code == 1, output
    assert "no labelled tickets" in output and "Traceback" not in output
