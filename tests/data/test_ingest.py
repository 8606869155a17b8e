"""Ingestion through COPY: good, bad and duplicate rows; strict mode; every supported format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hyperjourney.data.ingest.loader import IngestError, LoadResult, ingest_file
from hyperjourney.data.ingest.readers import UnreadableFileError
from hyperjourney.db.database import Database

CUSTOMERS_CSV = """customer_id,email,phone,first_name,lifecycle_stage,timezone,created_at,attributes
c1,Ann@Example.com,+1 206 555 0100,Ann,active,America/Los_Angeles,2026-01-01T10:00:00Z,"{""plan"": ""team""}"
c2,bob@example.com,,Bob,trial,Europe/Berlin,2026-01-02T10:00:00+01:00,
c3,not-an-email,,Cy,active,UTC,2026-01-03T10:00:00Z,
c4,dee@example.com,,Dee,sleeping,Mars/Olympus,2026-01-04T10:00:00,
"""


def _ingest(db: Database, tenant: str, kind: str, path: Path, strict: bool = False) -> LoadResult:
    with db.tenant(tenant) as conn:
        return ingest_file(conn, kind, path, strict=strict)


def _count(db: Database, tenant: str, table: str) -> int:
    with db.tenant(tenant) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def customers_csv(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS_CSV)
    return path


def test_good_rows_land_and_bad_rows_are_reported_by_line_and_field(
    db: Database, tenant: str, customers_csv: Path
) -> None:
    result = _ingest(db, tenant, "customers", customers_csv)
    assert result.read == 4
    assert result.inserted["customers"] == 2
    assert result.inserted["identities"] == 3
    by_line = {(r.line, r.field) for r in result.rejects}
    assert (4, "email") in by_line
    assert {(5, "lifecycle_stage"), (5, "timezone"), (5, "created_at")} <= by_line
    assert result.rejected_rows == 2
    with db.tenant(tenant) as conn:
        rows = conn.execute("SELECT customer_id, attributes, timezone FROM customers ORDER BY 1").fetchall()
        idents = conn.execute("SELECT kind, value FROM identities WHERE customer_id = 'c1' ORDER BY 1").fetchall()
    assert rows[0] == ("c1", {"plan": "team"}, "America/Los_Angeles")
    assert idents == [("email", "ann@example.com"), ("phone", "+12065550100")]


def test_reingesting_the_same_file_adds_nothing(db: Database, tenant: str, customers_csv: Path) -> None:
    _ingest(db, tenant, "customers", customers_csv)
    again = _ingest(db, tenant, "customers", customers_csv)
    assert again.inserted == {"customers": 0, "identities": 0}
    assert again.duplicates == 2
    assert _count(db, tenant, "customers") == 2
    assert _count(db, tenant, "identities") == 3


def test_strict_mode_writes_nothing_when_any_row_is_bad(db: Database, tenant: str, customers_csv: Path) -> None:
    result = _ingest(db, tenant, "customers", customers_csv, strict=True)
    assert result.strict_failed
    assert result.rejected_rows == 2
    assert _count(db, tenant, "customers") == 0
    assert _count(db, tenant, "identities") == 0


def _events_jsonl(path: Path, rows: list[dict[str, object] | str]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_events_reference_known_customers_and_are_idempotent(
    db: Database, tenant: str, customers_csv: Path, tmp_path: Path
) -> None:
    _ingest(db, tenant, "customers", customers_csv)
    path = _events_jsonl(
        tmp_path / "events.jsonl",
        [
            {
                "event_id": "e1",
                "customer_id": "c1",
                "type": "page_view",
                "ts": "2026-02-01T00:00:00Z",
                "properties": {"page": "/pricing"},
            },
            {"event_id": "e2", "customer_id": "ghost", "type": "page_view", "ts": "2026-02-01T00:00:00Z"},
            "{not json",
            {"event_id": "e3", "customer_id": "c2", "type": "Bad Type", "ts": "2026-02-01T00:00:00Z"},
            {
                "event_id": "e1",
                "customer_id": "c1",
                "type": "page_view",
                "ts": "2026-02-01T00:00:00Z",
                "properties": {"page": "/pricing"},
            },
        ],
    )
    result = _ingest(db, tenant, "events", path)
    assert result.inserted == {"events": 1}
    reasons = {(r.line, r.field): r.reason for r in result.rejects}
    assert reasons[(2, "customer_id")].startswith("unknown customer")
    assert reasons[(3, "(row)")].startswith("invalid JSON")
    assert (4, "type") in reasons
    assert result.duplicates == 1
    again = _ingest(db, tenant, "events", path)
    assert again.inserted == {"events": 0}
    with db.tenant(tenant) as conn:
        assert conn.execute("SELECT properties FROM events").fetchall() == [({"page": "/pricing"},)]


def test_parquet_orders_with_lines_and_returns(db: Database, tenant: str, customers_csv: Path, tmp_path: Path) -> None:
    _ingest(db, tenant, "customers", customers_csv)
    products = tmp_path / "products.csv"
    products.write_text("product_id,name,category,price,margin,inventory\np1,Shoe,running,120.00,0.4,5\n")
    assert _ingest(db, tenant, "products", products).inserted == {"products": 1}
    table = pa.table(
        {
            "order_id": ["o1", "o1", "o2"],
            "line_no": [1, 2, 1],
            "customer_id": ["c1", "c1", "c2"],
            "ordered_at": ["2026-03-01T00:00:00Z"] * 3,
            "status": ["partially_returned", "partially_returned", "delivered"],
            "product_id": ["p1", "p1", "p404"],
            "quantity": [2, 1, 1],
            "unit_price": ["120.00", "120.00", "10.00"],
            "returned_quantity": [1, None, None],
            "return_reason": ["too small", None, None],
        }
    )
    path = tmp_path / "orders.parquet"
    pq.write_table(table, path)
    result = _ingest(db, tenant, "orders", path)
    assert result.inserted == {"orders": 1, "order_lines": 2, "returns": 1}
    assert [(r.line, r.field) for r in result.rejects] == [(3, "product_id")]


def test_tickets_and_consent_history(db: Database, tenant: str, customers_csv: Path, tmp_path: Path) -> None:
    _ingest(db, tenant, "customers", customers_csv)
    tickets = _events_jsonl(
        tmp_path / "tickets.jsonl",
        [
            {
                "ticket_id": "t1",
                "message_id": "m1",
                "customer_id": "c1",
                "channel": "email",
                "subject": "Refund",
                "body": "Where is my refund?",
                "sent_at": "2026-03-01T10:00:00Z",
            },
            {
                "ticket_id": "t1",
                "message_id": "m2",
                "customer_id": "c1",
                "channel": "email",
                "subject": "Refund",
                "author": "agent",
                "body": "On its way.",
                "sent_at": "2026-03-01T12:00:00Z",
            },
        ],
    )
    assert _ingest(db, tenant, "tickets", tickets).inserted == {"tickets": 1, "messages": 2}
    with db.tenant(tenant) as conn:
        opened, updated = conn.execute("SELECT opened_at, updated_at FROM tickets").fetchone()  # type: ignore[misc]
    assert (updated - opened).total_seconds() == 7200

    consents = tmp_path / "consents.csv"
    consents.write_text(
        "customer_id,channel,purpose,status,source,captured_at\n"
        "c1,email,marketing,granted,signup_form,2026-01-01T00:00:00Z\n"
        "c1,email,marketing,withdrawn,unsubscribe_link,2026-02-01T00:00:00Z\n"
        "c1,sms,marketing,granted,checkout,2026-01-05T00:00:00Z\n"
        "c1,fax,marketing,granted,x,2026-01-05T00:00:00Z\n"
    )
    result = _ingest(db, tenant, "consents", consents)
    assert result.inserted == {"consents": 3}
    assert [(r.line, r.field) for r in result.rejects] == [(5, "channel")]
    assert _ingest(db, tenant, "consents", consents).inserted == {"consents": 0}
    with db.tenant(tenant) as conn:
        current = conn.execute("SELECT channel, status FROM current_consents ORDER BY 1").fetchall()
        history = conn.execute("SELECT status FROM consents WHERE channel = 'email' ORDER BY captured_at").fetchall()
    assert current == [("email", "withdrawn"), ("sms", "granted")]
    assert history == [("granted",), ("withdrawn",)]


def test_bad_files_and_kinds_are_clear_errors(db: Database, tenant: str, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file"):
        _ingest(db, tenant, "events", tmp_path / "missing.csv")
    odd = tmp_path / "events.xlsx"
    odd.write_text("x")
    with pytest.raises(UnreadableFileError, match="unsupported file type"):
        _ingest(db, tenant, "events", odd)
    with pytest.raises(IngestError, match="unknown dataset"):
        _ingest(db, tenant, "whatever", odd)
    ragged = tmp_path / "customers.csv"
    ragged.write_text("customer_id,created_at\nc1,2026-01-01T00:00:00Z,extra\n")
    result = _ingest(db, tenant, "customers", ragged)
    assert [(r.line, r.reason) for r in result.rejects] == [(2, "expected 2 columns, found 3")]


def test_unknown_columns_are_rejected_not_ignored(
    db: Database, make_tenant: Callable[[str], str], tmp_path: Path
) -> None:
    tenant = make_tenant("cols")
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,created_at,shoe_size\nc1,2026-01-01T00:00:00Z,42\n")
    result = _ingest(db, tenant, "customers", path)
    assert [(r.line, r.field, r.reason) for r in result.rejects] == [(2, "shoe_size", "unknown column")]
