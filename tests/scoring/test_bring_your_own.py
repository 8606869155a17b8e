"""A tenant made only of customers and orders trains what its data supports, in one `models train`."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.scoring import registry
from hyperjourney.scoring.train import cutoffs
from hyperjourney.settings import Settings
from tests.cli_runner import invoke

START = date(2025, 1, 6)
DAYS = 480


def _write_csvs(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """About 150 shoppers of one product line, each buying on their own rhythm until they stop; dates only."""
    rng = random.Random(17)
    customers = ["customer_id,created_at"]
    orders = ["order_id,line_no,customer_id,ordered_at,status,product_id,quantity,unit_price"]
    n = 0
    last_buyer, last_day = "", -1
    for i in range(150):
        cid = f"c{i:03d}"
        joined = rng.randrange(0, 240)
        customers.append(f"{cid},{START + timedelta(days=joined)}T00:00:00Z")
        gap, stops = rng.uniform(12, 70), joined + rng.randrange(60, 700)
        day = joined + int(rng.expovariate(1 / gap))
        while day < min(stops, DAYS):
            n += 1
            price = rng.choice(["14.50", "21.00", "9.99"])
            orders.append(
                f"o{n},1,{cid},{START + timedelta(days=day)}T00:00:00Z,delivered,p1,{rng.randint(1, 3)},{price}"
            )
            if day > last_day:
                last_buyer, last_day = cid, day
            day += max(1, int(rng.expovariate(1 / gap)))
    paths = []
    for name, text in (
        ("customers", "\n".join(customers)),
        ("products", "product_id,name,category,price,margin,inventory\np1,House blend,coffee,14.50,0.3,100"),
        ("orders", "\n".join(orders)),
    ):
        path = tmp_path / f"{name}.csv"
        path.write_text(text + "\n")
        paths.append(path)
    return paths[0], paths[1], paths[2], last_buyer


@pytest.fixture
def orders_only(db: Database, tenant: str, tmp_path: Path) -> tuple[str, str]:
    customers, products, orders, last_buyer = _write_csvs(tmp_path)
    for kind, path in (("customers", customers), ("products", products), ("orders", orders)):
        code, out = invoke("ingest", kind, str(path), "--tenant", tenant)
        assert code == 0 and re.search(r"rejected rows\W+0\b", out), out
    return tenant, last_buyer


def test_orders_only_tenant_trains_what_it_supports_and_explains_the_rest(
    db: Database, orders_only: tuple[str, str]
) -> None:
    tenant, last_buyer = orders_only
    code, out = invoke("models", "train", "--tenant", tenant)
    assert code == 0, out
    assert "Traceback" not in out
    with db.tenant(tenant) as conn:
        active = registry.active_versions(conn)
        churn = registry.get(conn, "churn_risk")
        features = conn.execute(
            "SELECT features FROM customer_features WHERE customer_id = %s", (last_buyer,)
        ).fetchone()
    assert set(active) == {"purchase_propensity", "churn_risk", "clv"}
    assert "trained 3 of 8 models (non_contractual business)" in out
    # skipped, each with its reason and the data that would enable it
    assert "models not trained" in out
    assert "upgrade_fit" in out and "nothing to upgrade to" in out
    assert "next_category" in out and "best_send_hour" in out and "timestamped events" in out
    assert "packaged classifier serves" in out
    # churn for shoppers: no order within a horizon learned from their inter-purchase times
    assert churn is not None and churn.training_window["business_model"] == "non_contractual"
    assert "inter-purchase times" in churn.metrics["description"]
    # an order is activity: yesterday's buyer is a customer with a recency, not a dormant profile
    assert features is not None
    assert features[0]["recency_days"] is not None and features[0]["recency_days"] < 1
    assert features[0]["lifecycle_stage"] == "customer"


def test_require_fails_when_the_model_cannot_train(db: Database, orders_only: tuple[str, str]) -> None:
    tenant, _ = orders_only
    code, out = invoke("models", "train", "upgrade_fit", "--require", "upgrade_fit", "--tenant", tenant)
    assert code == 1, out
    assert "required model(s) not trained: upgrade_fit" in out and "nothing to upgrade to" in out
    assert "Traceback" not in out
    with db.tenant(tenant) as conn:
        assert registry.active_versions(conn) == {}
    code, out = invoke("models", "train", "no_such_model", "--tenant", tenant)
    assert code == 1 and "unknown model 'no_such_model'" in out


def test_nan_never_reaches_storage(db: Database, tenant: str) -> None:
    with db.tenant(tenant) as conn:
        registry.save(
            conn,
            name="best_send_hour",
            kind="histogram_shrinkage",
            artifact={"auc": float("nan")},
            metrics={"hit_rate": float("nan"), "by_hour": [1.0, float("inf")]},
            training_window={"data_end": datetime(2026, 1, 1, tzinfo=UTC).isoformat()},
            feature_versions={},
        )
        found = registry.get(conn, "best_send_hour")
    assert found is not None
    assert found.metrics == {"hit_rate": None, "by_hour": [1.0, None]} and found.artifact == {"auc": None}


def test_training_cutoffs_stay_inside_the_data() -> None:
    end = datetime(2026, 6, 1, tzinfo=UTC)
    cuts, test = cutoffs(end, first=end - timedelta(days=200))
    assert test == end - timedelta(days=60)
    assert cuts == [end - timedelta(days=120), end - timedelta(days=150)]
    assert len(cutoffs(end, first=end - timedelta(days=900))[0]) == 4


def test_as_of_training_scoring_export_and_the_scores_route(
    db: Database, settings: Settings, orders_only: tuple[str, str], tmp_path: Path
) -> None:
    tenant, last_buyer = orders_only
    code, out = invoke("models", "train", "--as-of", "2026-01-15", "--tenant", tenant)
    assert code == 0, out
    with db.tenant(tenant) as conn:
        clv = registry.get(conn, "clv")
        created = conn.execute("SELECT count(*) FROM customers WHERE created_at < '2026-01-15'").fetchone()
    assert clv is not None and clv.training_window["data_end"].startswith("2026-01-15")
    assert created is not None
    csv_path = tmp_path / "past.csv"
    code, out = invoke("models", "score", "--all", "--as-of", "2026-01-15", "--out", str(csv_path), "--tenant", tenant)
    assert code == 0 and "(not stored)" in out, out
    past = pacsv.read_csv(csv_path)
    assert past.num_rows == created[0] and "purchase_propensity_confidence" in past.column_names
    assert "upgrade_fit" not in past.column_names
    parquet_path = tmp_path / "now.parquet"
    code, out = invoke("models", "score", "--all", "--out", str(parquet_path), "--tenant", tenant)
    assert code == 0, out
    now = pq.read_table(parquet_path)
    assert now.num_rows == 150 and set(now.column("clv_version").to_pylist()) == {clv.label}
    assert set(now.column("clv_lifetime_version").to_pylist()) == {clv.label}
    assert now.column("clv_365d").null_count == 0
    code, out = invoke("models", "score", "--all", "--out", str(tmp_path / "x.xlsx"), "--tenant", tenant)
    assert code == 1 and "--out must end in .csv or .parquet" in out

    app = create_app(db, settings)
    headers = {"Authorization": f"Bearer {create_key(db, tenant, 'test', 'viewer').token}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        found = client.get(f"/v1/customers/{last_buyer}/scores", headers=headers)
        missing = client.get("/v1/customers/nobody/scores", headers=headers)
        anonymous = client.get(f"/v1/customers/{last_buyer}/scores")
    assert found.status_code == 200, found.text
    horizon_scores = {"clv_30d", "clv_90d", "clv_180d", "clv_365d", "clv_lifetime"}
    assert set(found.json()["scores"]) == {"purchase_propensity", "churn_risk", "clv"} | horizon_scores
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert "does not exist" in missing.json()["detail"]
    assert anonymous.status_code == 401


def test_backtest_trains_before_the_date_and_judges_after_it(orders_only: tuple[str, str]) -> None:
    tenant, _ = orders_only
    code, out = invoke("models", "backtest", "--as-of", "2026-01-01", "--horizon", "13w", "--tenant", tenant)
    assert code == 0, out
    assert "backtest as of 2026-01-01, 91-day horizon" in out and "4 cutoffs" in out
    assert "purchase_propensity" in out and "RFM rule" in out and "run rate" in out
    assert "91 days" in out.replace("\n", " ") and "auc" in out and "rmse" in out
    assert "models not backtested" not in out
    flat = " ".join(out.split())  # rich wraps long lines at spaces
    assert "CLV model: " in flat and "customers with an order" in flat
    assert "projected CLV horizons vs the spend seen after 2026-01-01" in flat
    assert "CLV horizons not judged: 180, 365-day: the data ends" in flat
    code, out = invoke("models", "backtest", "--as-of", "2026-01-01", "--horizon", "39w", "--tenant", tenant)
    assert code == 1 and "needs data until 2026-10-01" in out, out
    code, out = invoke("models", "backtest", "--as-of", "2026-01-01", "--horizon", "soon", "--tenant", tenant)
    assert code == 1 and "--horizon must be" in out
