"""`hyperjourney models …` against the trained scoring tenant."""

from __future__ import annotations

import uuid

from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.scoring.train import TrainReport
from tests.cli_runner import invoke

Trained = tuple[str, TrainReport]


def test_list_show_score_and_segment(db: Database, trained: Trained) -> None:
    tenant = trained[0]
    code, out = invoke("models", "list", "--tenant", tenant)
    assert code == 0, out
    assert "purchase_propensity@v" in out and "ticket_sentiment@v" in out
    code, out = invoke("models", "show", "purchase_propensity", "--tenant", tenant)
    assert code == 0, out
    for expected in ("auc", "ece", "brier", "lift by decile", "baseline", "beats baseline: yes"):
        assert expected in out
    assert "log_loss" in out and "in criterion" in out and "Brier and log loss below the base rate" in out
    code, out = invoke("models", "show", "clv", "--tenant", tenant)
    assert code == 0 and "rmse" in out and "mae" in out and "MAE uses the median estimate" in out, out
    assert "CLV model: the hurdle model for everyone (forced)" in out and "as used (every held-out" in out, out
    code, out = invoke("models", "show", "next_category", "--tenant", tenant)
    assert code == 0 and "accuracy" in out and "beats baseline: yes (accuracy above the top-affinity rule" in out
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT customer_id FROM customer_features ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    code, out = invoke("models", "score", row[0], "--tenant", tenant)
    assert code == 0, out
    assert "churn_risk" in out and "best_send_hour" in out and "why in segment" in out
    code, out = invoke("models", "segment", "fintech SMBs", "--tenant", tenant)
    assert code == 0 and "industry is fintech" in out


def test_features_commands(db: Database, trained: Trained) -> None:
    tenant = trained[0]
    code, out = invoke("models", "features", "list")
    assert code == 0 and "feature registry" in out and "1:00:00" in out and "30 days" in out
    with db.tenant(tenant) as conn:
        row = conn.execute("SELECT customer_id FROM customer_features ORDER BY customer_id LIMIT 1").fetchone()
    assert row is not None
    code, out = invoke("models", "features", "refresh", "--customer", row[0], "--tenant", tenant)
    assert code == 0, out
    code, out = invoke("models", "features", "show", row[0], "--tenant", tenant)
    assert code == 0 and "recency_days" in out


def test_activate_rolls_back_and_forward(db: Database, trained: Trained) -> None:
    tenant = trained[0]
    code, out = invoke("models", "activate", "churn_risk", "1", "--tenant", tenant)
    assert code == 0 and "churn_risk@v1 is active" in out
    code, out = invoke("models", "activate", "churn_risk", "99", "--tenant", tenant)
    assert code == 1 and "no version 99" in out
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM model_versions WHERE name = 'churn_risk' AND active").fetchone() == (
            1,
        )


def test_bad_input_is_a_clear_error(db: Database, trained: Trained) -> None:
    tenant = trained[0]
    code, out = invoke("models", "score", "nobody", "--tenant", tenant)
    assert code == 1 and "does not exist" in out
    code, out = invoke("models", "show", "no_such_model", "--tenant", tenant)
    assert code == 1 and "no model" in out
    code, out = invoke("models", "score", "--tenant", tenant)
    assert code == 2 and "CUSTOMER_ID or --all" in out


def test_train_on_too_little_data_fails_cleanly(db: Database) -> None:
    tenant = f"tiny-cli-{uuid.uuid4().hex[:6]}"
    seed(db, tenant, customers=40, events=400, tickets=5)
    code, out = invoke("models", "train", "--tenant", tenant)
    assert code == 0 and "too little" in out and "trained 0 of 8 models" in out, out
    code, out = invoke("models", "train", "--require", "churn_risk", "--tenant", tenant)
    assert code == 1 and "required model(s) not trained: churn_risk" in out
    code, out = invoke("models", "list", "--tenant", tenant)
    assert code == 0 and "@v" not in out
