"""The four role dashboards (GET /v1/dashboards/…) in headless Chromium, bound to the API key's tenant.

Tenant A is a small seeded tenant of this test's own, with a launched journey (a hostile name), outcomes and a
guard failure in the review queue; the Sales and Data dashboards read the session's trained tenant, which has
scores and trained models (read-only). Each figure asserted is computed here from SQL. Screenshots land in the
test's tmp dir.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.data.demo_tenant import seed
from hyperjourney.db.database import Database
from hyperjourney.guardrails.models import Asset, GuardFailure, GuardReport
from hyperjourney.journeys import store
from hyperjourney.journeys.definition import examples
from hyperjourney.journeys.runner import JourneyRunner, RunStats
from hyperjourney.review import queue
from hyperjourney.settings import ApiSettings, Settings
from tests.api.live import serving
from tests.ui.browser import browser_available, chromium
from tests.ui.outcomes import grow_and_convert

pytestmark = pytest.mark.skipif(
    not browser_available(), reason="Debian chromium + chromium-driver (make test installs)"
)
# the guard's report for that copy (tests/review/test_review_queue.py runs the guard itself; here it would
# cost the guard's import, ~30 s on a busy machine, for a figure the dashboard only reads back)
BANNED = GuardReport(
    passed=False,
    failures=[GuardFailure(code="banned_claim", validator="banned_claims", message="'risk-free' is a banned claim")],
    checked=["banned_claim"],
)
HOSTILE = 'Cart <img src=x onerror="window.__pwned=1"> rescue'


def _journey(db: Database, tenant: str, name: str, *, enroll: bool = False) -> str:
    """The usage-milestone example (its goal, an upgrade, needs no matching entity) under ``name``; with
    ``enroll``, its first customer enrolled three days ago (the start the outcomes are placed after)."""
    defn = next(d for d in examples() if d.id == "plg-milestone")
    with db.tenant(tenant) as conn:
        store.save(conn, defn.model_copy(update={"name": name}), actor="test")
        if enroll:
            first = conn.execute("SELECT min(customer_id) FROM customers").fetchone()[0]  # type: ignore[index]
            JourneyRunner(db, tenant, use_models=False).enroll(
                conn, store.get(conn, defn.id), first, entity="test", props={}, trigger_event="test",
                at=datetime.now(UTC) - timedelta(days=3), stats=RunStats(),
            )  # fmt: skip
    return defn.id


def _open(driver: Any, base: str, token: str, name: str, shots: Path) -> str:
    """Load a dashboard with the key in the Authorization header (as any API client sends it)."""
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {token}"}})
    driver.get(f"{base}/v1/dashboards/{name}")
    driver.save_screenshot(str(shots / f"dashboard-{len(list(shots.glob('*.png')))}-{name}.png"))
    return str(driver.execute_script("return document.body.innerText"))


def _cells(driver: Any, table_id: str) -> list[list[str]]:
    return [
        [str(c) for c in row]
        for row in driver.execute_script(
            "return [...document.querySelectorAll(`#${arguments[0]} tr`)].slice(1)"
            ".map(r => [...r.cells].map(c => c.innerText))",
            table_id,
        )
    ]


def test_four_dashboards_show_the_tenants_own_figures(
    db: Database, settings: Settings, trained_kb_tenant: str, make_tenant: Any, tmp_path: Path
) -> None:
    a = make_tenant("dash")
    seed(db, a, customers=120, events=600, tickets=4)
    journey = _journey(db, a, HOSTILE, enroll=True)
    arms = grow_and_convert(db, a, journey, more=60)
    asset = Asset(kind="sms", body="Northwind: risk-free boots. Reply STOP to opt out")
    queue.submit_asset(db, a, asset, [], BANNED, submitted_by="copywriter")
    b = make_tenant("dashb")
    _journey(db, b, "Tenant B secret journey")
    with db.tenant(a) as conn:
        treated = conn.execute(
            "SELECT count(*) FROM journey_enrollments WHERE journey_id = %s AND arm = 'treatment'", (journey,)
        ).fetchone()[0]  # type: ignore[index]
        banned = conn.execute(
            "SELECT count(*) FROM review_items, jsonb_array_elements_text(reasons) r WHERE r LIKE 'banned_claim:%'"
        ).fetchone()[0]  # type: ignore[index]
    with db.tenant(trained_kb_tenant) as conn:
        top, value = conn.execute(
            "SELECT customer_id, value FROM customer_scores WHERE name = 'purchase_propensity' "
            "ORDER BY value DESC, customer_id LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        ece = conn.execute(
            "SELECT (metrics->>'ece')::float8 FROM model_versions WHERE active AND name = 'purchase_propensity'"
        ).fetchone()[0]  # type: ignore[index]
    viewer_a = create_key(db, a, "dash", "viewer").token
    viewer_b = create_key(db, b, "dash", "viewer").token
    viewer_t = create_key(db, trained_kb_tenant, "dash", "viewer").token
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(burst=10_000)}))
    with serving(app) as base, chromium() as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        text = _open(driver, base, viewer_a, "growth", tmp_path)
        assert HOSTILE in text and "Tenant B secret journey" not in text
        assert driver.execute_script("return window.__pwned") is None
        assert not driver.find_elements("css selector", "img")
        row = _cells(driver, "growth")[0]
        assert row[0] == HOSTILE and row[3] == str(treated) and row[-1] == "spend not known"
        assert arms["treatment"] == treated and row[5] == f"{arms['treatment_converted'] / treated:.1%}" != "0.0%"
        assert driver.find_elements("css selector", "svg title")  # the lift chart, inline

        _open(driver, base, viewer_a, "brand", tmp_path)
        assert ["banned_claim", str(banned), str(banned)] in _cells(driver, "failures")
        assert _cells(driver, "queue")[0][:2] == ["asset", "1"]

        text = _open(driver, base, viewer_t, "sales", tmp_path)
        assert top in text and f"{value:.3f}" in text
        assert re.search(r"Suggested talk track\n.+ \[[^\]\s]+#\d+\] ", text)  # a passage with its citation id

        text = _open(driver, base, viewer_t, "data", tmp_path)
        assert f"ECE {ece:.4f}" in text
        assert driver.find_elements("css selector", "svg title")

        assert "Tenant B secret journey" in _open(driver, base, viewer_b, "growth", tmp_path)
        text = _open(driver, base, viewer_a, "sales", tmp_path)
        assert top not in text and "No customer has a purchase_propensity score" in text
        assert "Unauthorized" in _open(driver, base, "not-a-key", "growth", tmp_path)
    assert len(list(tmp_path.glob("dashboard-*.png"))) == 7
