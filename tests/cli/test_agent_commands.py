"""Agent commands through the CLI: canvas to approval, approve / edit / reject, runs, copilot, nba, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hyperjourney.db.database import Database
from tests.agentkit import seed_small_tenant
from tests.cli_runner import invoke


@pytest.fixture(scope="module")
def shop(db: Database) -> str:
    return seed_small_tenant(db, "cli")


def _canvas(tenant: str) -> str:
    code, out = invoke("canvas", "Lift LTV 20% in fintech SMBs", "-t", tenant)
    assert code == 0, out
    assert "awaiting_approval" in out and "proposed journey" in out and "[cite:" in out
    match = re.search(r"hyperjourney approve (run-[0-9a-f]+)", out)
    assert match, out
    return match.group(1)


def test_canvas_then_approve_then_runs_show(shop: str) -> None:
    run_id = _canvas(shop)
    code, out = invoke("approve", run_id, "-t", shop, "--reviewer", "ana")
    assert code == 0 and "completed" in out, out
    code, out = invoke("approve", run_id, "-t", shop)
    assert code == 1 and "not awaiting approval" in out
    code, out = invoke("runs", "list", "-t", shop)
    assert code == 0 and run_id in out
    code, out = invoke("runs", "show", run_id, "-t", shop)
    assert code == 0 and "researcher" in out and "kb-" in out and "approved" in out


def test_edit_from_a_file_is_revalidated(shop: str, tmp_path: Path) -> None:
    run_id = _canvas(shop)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump({"variants": [{"channel": "email", "subject": "Hi", "body": "Risk-free, guaranteed!"}]})
    )
    code, out = invoke("edit", run_id, "--file", str(bad), "-t", shop)
    assert code == 0 and "edit refused" in out and "awaiting_approval" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text("channels: [email]\n")
    code, out = invoke("edit", run_id, "--file", str(broken), "-t", shop)
    assert code == 1 and "variants" in out
    missing_body = tmp_path / "missing.yaml"
    missing_body.write_text(yaml.safe_dump({"variants": [{"channel": "email"}]}))
    code, out = invoke("edit", run_id, "--file", str(missing_body), "-t", shop)
    assert code == 1 and "body" in out
    code, out = invoke("reject", run_id, "-t", shop, "-m", "not this quarter")
    assert code == 0 and "rejected" in out


def test_copilot_and_nba_and_bad_input(shop: str, db: Database) -> None:
    with db.tenant(shop) as conn:
        ticket = conn.execute("SELECT ticket_id FROM tickets ORDER BY ticket_id LIMIT 1").fetchone()
        customer = conn.execute("SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1").fetchone()
    assert ticket is not None and customer is not None
    code, out = invoke("copilot", ticket[0], "-t", shop)
    assert code == 0 and "draft reply" in out and "sources:" in out, out
    code, out = invoke("nba", customer[0], "-t", shop, "--event", '{"type": "pricing_page_view"}')
    assert code == 0 and "next best action" in out and "chosen:" in out, out
    code, out = invoke("copilot", "tkt_nope", "-t", shop)
    assert code == 1 and "ticket_id" in out
    code, out = invoke("nba", customer[0], "-t", shop, "--event", "{not json")
    assert code == 1 and "--event" in out
