"""The purchase model is chosen per tenant by backtest: the classifier, or BG/NBD's P(purchase in the horizon)
where the classifier cannot beat it on Brier; customers without an order keep the classifier's score."""

from __future__ import annotations

import numpy as np
import pytest

from hyperjourney.db.database import Database
from hyperjourney.scoring import clv_choice, purchase_choice, registry
from hyperjourney.scoring.service import score_customer, scorer_for
from hyperjourney.scoring.train import FIT_ERRORS, TrainReport, train_all


def _buyers(n: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """Customers with orders: some frequent and recent, some lapsed."""
    rows = []
    for i in range(n):
        first = float(rng.integers(60, 700))
        orders = int(rng.integers(1, 12))
        last = float(rng.uniform(0, first)) if orders > 1 else first
        rows.append(
            {"customer_id": f"c{i}", "orders_total": orders, "days_since_first_order": first,
             "days_since_last_order": last, "avg_order_value": 40.0}
        )  # fmt: skip
    return rows


def test_the_choice_flips_with_the_data() -> None:
    rng = np.random.default_rng(3)
    rows = _buyers(400, rng)
    data, buyer = clv_choice.summary(rows)
    classifier = rng.uniform(0.05, 0.95, size=len(rows))  # a score unrelated to the purchase history
    fitted = purchase_choice.fit(rows, 30)
    p = purchase_choice.probability(fitted, data, buyer)
    # outcomes drawn from BG/NBD's own probability: the unrelated classifier cannot beat it
    follows_history = (rng.uniform(size=len(rows)) < p).astype(float)
    # outcomes that are the classifier's score thresholded: BG/NBD cannot beat it
    follows_classifier = (classifier > 0.5).astype(float)
    art, q, served = purchase_choice.decide(rows, follows_history, classifier, 30, None, FIT_ERRORS)
    assert art["chosen"] == q["chosen"] == "bgnbd"
    assert "the project's model could not beat it" in q["choice"]
    judged = purchase_choice.Judgement.model_validate(q["choice_holdout"])
    assert judged.bgnbd is not None and judged.bgnbd["brier"] < judged.classifier["brier"]
    assert judged.brier_diff_ci is not None and judged.brier_diff_ci[0] > 0  # classifier − BG/NBD: worse
    # what is served: BG/NBD's probability for buyers, the classifier's for the others (the version's figures)
    buyers = served != classifier
    assert buyers.any() and q["chosen_holdout"]["brier"] == pytest.approx(
        float(np.mean((served - follows_history) ** 2))
    )
    art, q, _ = purchase_choice.decide(rows, follows_classifier, classifier, 30, None, FIT_ERRORS)
    assert art["chosen"] == "classifier" and "it beats BG/NBD" in q["choice"]
    assert purchase_choice.BGNBDPurchase.model_validate(art["bgnbd"]).params.r > 0  # stored either way


def test_under_bgnbd_a_buyer_gets_its_probability_and_a_non_buyer_keeps_the_classifier(
    db: Database, trained: tuple[str, TrainReport]
) -> None:
    tenant, _ = trained
    with db.tenant(tenant) as conn:
        before = registry.active_versions(conn)["purchase_propensity"]
        account = conn.execute(
            "SELECT customer_id, features FROM customer_features "
            "WHERE coalesce((features->>'orders_total')::int, 0) = 0 LIMIT 1"
        ).fetchone()
        shopper = conn.execute(
            "SELECT customer_id, features FROM customer_features WHERE (features->>'orders_total')::int >= 2 LIMIT 1"
        ).fetchone()
    assert account is not None and shopper is not None
    try:
        report = train_all(db, tenant, only="purchase_propensity", purchase_model="bgnbd")
        scores = {cid: score_customer(db, tenant, cid).scores for cid in (account[0], shopper[0])}
        with db.tenant(tenant) as conn:
            scorer = scorer_for(conn, tenant)
    finally:
        with db.tenant(tenant) as conn:
            registry.activate(conn, "purchase_propensity", before)
    m = report.metrics["purchase_propensity"]
    assert m["chosen"] == "bgnbd" and "(forced)" in m["choice"] and "Brier classifier" in m["choice"]
    assert scorer.purchase_bgnbd is not None and scorer.purchase_bgnbd.horizon_days == 30
    rows = [account[1], shopper[1]]
    expected = purchase_choice.probability(scorer.purchase_bgnbd, *clv_choice.summary(rows))
    scorer.purchase_bgnbd = None  # the same stored version read as the classifier alone
    classifier = scorer.core(scorer.inputs(rows))["purchase_propensity"][0]
    buyer, non_buyer = scores[shopper[0]]["purchase_propensity"], scores[account[0]]["purchase_propensity"]
    assert buyer.value == pytest.approx(expected[1], abs=1e-4)
    assert buyer.value != pytest.approx(classifier[1], abs=1e-3)
    assert any("BG/NBD" in r.text for r in buyer.reasons)
    assert non_buyer.value == pytest.approx(classifier[0], abs=1e-4)
    assert not any("BG/NBD" in r.text for r in non_buyer.reasons)
