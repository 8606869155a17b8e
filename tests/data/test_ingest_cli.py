"""`hyperjourney ingest` as an operator sees it: exit codes, rejects printed verbatim, strict summaries."""

from __future__ import annotations

import json
from pathlib import Path

from hyperjourney.db.database import Database
from tests.cli_runner import invoke


def test_reject_messages_are_printed_verbatim_not_as_markup(db: Database, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,created_at\n[bold]x,2026-01-01T00:00:00Z\n'^*$',2026-01-01T00:00:00Z\n")
    code, out = invoke("ingest", "customers", str(path), "--tenant", tenant)
    assert code == 1
    assert "'[bold]x'" in out
    assert "'^*$'" in out.replace('"', "'")


def test_strict_writes_its_rejects_file_and_a_summary_by_reason(db: Database, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    rows = [f"c{i},2026-01-01T00:00:00Z,bad-{i}" for i in range(25)] + ["ok,2026-01-01T00:00:00Z,a@example.com"]
    path.write_text("customer_id,created_at,email\n" + "\n".join(rows) + "\n")
    code, out = invoke("ingest", "customers", str(path), "--tenant", tenant, "--strict")
    assert code == 1 and "nothing was written" in out
    assert "rejects by reason" in out and "25" in out
    written = [json.loads(line) for line in path.with_name("customers.csv.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in written] == list(range(2, 27))
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)


def test_an_empty_file_is_an_error_and_an_all_good_file_exits_zero(db: Database, tenant: str, tmp_path: Path) -> None:
    empty = tmp_path / "customers.csv"
    empty.write_text("")
    code, out = invoke("ingest", "customers", str(empty), "--tenant", tenant)
    assert code == 1 and "empty" in out
    good = tmp_path / "good.csv"
    good.write_text("customer_id,created_at\nc1,2026-01-01T00:00:00Z\n")
    code, out = invoke("ingest", "customers", str(good), "--tenant", tenant)
    assert code == 0, out
