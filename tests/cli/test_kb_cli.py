"""`hyperjourney kb …` end to end with the real offline embedder on a small knowledge folder."""

from __future__ import annotations

from pathlib import Path

from hyperjourney.db.database import Database
from tests.cli_runner import invoke
from tests.conftest import new_tenant

GOLDEN = """version: 1
knowledge_base: tiny
questions:
  - {id: t1, question: "when will my order arrive", relevant: [shipping]}
  - {id: t2, question: "card payment options", relevant: [billing], filters: {doc_type: [faq]}}
"""


def _kb(folder: Path) -> Path:
    folder.mkdir()
    (folder / "shipping.md").write_text(
        "---\nid: shipping\ntype: policy\ntitle: Shipping\nupdated_at: 2026-02-01\n---\n\n# Shipping\n\n"
        "## Delivery times\n\nOrders arrive within three to five business days by ground courier.\n",
        encoding="utf-8",
    )
    (folder / "billing.md").write_text(
        "---\nid: billing\ntype: faq\ntitle: Billing\nregion: eu\n---\n\n# Billing\n\n"
        "## Payment methods\n\nWe accept credit cards, debit cards and SEPA bank transfer.\n",
        encoding="utf-8",
    )
    return folder


def test_ingest_search_status_eval(db: Database, tmp_path: Path) -> None:
    tenant = new_tenant(db, "cli-kb")
    folder = _kb(tmp_path / "kb")
    code, out = invoke("kb", "ingest", str(folder), "--tenant", tenant)
    assert code == 0, out
    assert "added" in out and "chunks embedded now" in out

    code, out = invoke("kb", "ingest", str(folder), "--tenant", tenant)
    assert code == 0 and "│ unchanged                   │ 2" in out.replace("  ", "  "), out

    code, out = invoke("kb", "search", "how long does delivery take", "--tenant", tenant, "-k", "2")
    assert code == 0 and "shipping#" in out, out
    code, out = invoke("kb", "search", "bank transfer", "--type", "faq", "--region", "eu", "--tenant", tenant)
    assert code == 0 and "billing#" in out and "shipping#" not in out, out

    code, out = invoke("kb", "status", "--tenant", tenant)
    assert code == 0 and "documents" in out and "faq 1, policy 1" in out, out

    golden = tmp_path / "golden.yaml"
    golden.write_text(GOLDEN, encoding="utf-8")
    code, out = invoke("kb", "eval", "--golden", str(golden), "--tenant", tenant)
    assert code == 0 and "recall@5" in out and "hybrid" in out and "keyword" in out, out
    assert "llama-vector" in out and "llama-fusion" in out and "p95 ms" in out, out  # issue 15.1: side by side


def test_bad_input_exits_nonzero_with_a_clear_message(db: Database, tmp_path: Path) -> None:
    tenant = new_tenant(db, "cli-kb")
    code, out = invoke("kb", "search", "  ", "--tenant", tenant)
    assert code == 1 and "query is empty" in out
    code, out = invoke("kb", "search", "refund", "--type", "faq", "--tenant", tenant)
    assert code == 0 and "no matching knowledge" in out  # an empty knowledge base finds nothing, no error
    code, out = invoke("kb", "search", "refund", "--mode", "magic", "--tenant", tenant)
    assert code == 1 and "--mode" in out
    code, out = invoke("kb", "ingest", str(tmp_path / "missing"), "--tenant", tenant)
    assert code == 1 and "no such file" in out
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "bad.md").write_bytes(b"\xff\xfe not utf-8")
    code, out = invoke("kb", "ingest", str(folder), "--tenant", tenant)
    assert code == 1 and "bad.md" in out and "UTF-8" in out
    code, out = invoke("kb", "eval", "--tenant", tenant)
    assert code == 1 and "no knowledge" in out
