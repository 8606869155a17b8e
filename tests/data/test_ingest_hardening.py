"""Files that used to lose rows silently: bad bytes, NULs, open quotes, reused ids, odd money and bare dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hyperjourney.data.identities import normalize_phone
from hyperjourney.data.ingest.loader import IngestError, LoadResult, ingest_file
from hyperjourney.data.ingest.readers import UnreadableFileError
from hyperjourney.data.ingest.rows import DATE_WITHOUT_TIME, Validation
from hyperjourney.db.database import Database

HEADER = "customer_id,first_name,created_at\n"


def _ingest(db: Database, tenant: str, kind: str, path: Path, **kwargs: object) -> LoadResult:
    with db.tenant(tenant) as conn:
        return ingest_file(conn, kind, path, **kwargs)  # type: ignore[arg-type]


def _customers(db: Database, tenant: str) -> list[tuple[str, str | None]]:
    with db.tenant(tenant) as conn:
        return conn.execute("SELECT customer_id, first_name FROM customers ORDER BY 1").fetchall()


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_bad_byte_late_in_a_csv_rejects_its_own_line_and_reading_goes_on(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    rows = [f"c{i},Name{i},2026-01-01T00:00:00Z\n".encode() for i in range(200)]
    rows[150] = b"c150,Jos\xe9,2026-01-01T00:00:00Z\n"  # latin-1 e-acute
    path = tmp_path / "customers.csv"
    path.write_bytes(HEADER.encode() + b"".join(rows))
    result = _ingest(db, tenant, "customers", path)
    assert result.read == 200
    assert result.inserted["customers"] == 199
    offset = len(HEADER) + sum(len(r) for r in rows[:150]) + len(b"c150,Jos")
    assert [(r.line, r.reason) for r in result.rejects] == [
        (152, f"not valid UTF-8: first bad byte at offset {offset} of the file")
    ]
    assert _customers(db, tenant)[-1] == ("c99", "Name99")


def test_an_unterminated_quote_is_a_reject_and_the_next_rows_still_land(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        HEADER + 'c1,"Ann,2026-01-01T00:00:00Z\nc2,Bob,2026-01-01T00:00:00Z\nc3,"Cy",2026-01-01T00:00:00Z\n'
    )
    result = _ingest(db, tenant, "customers", path)
    assert [r.line for r in result.rejects] == [2]
    assert result.rejects[0].reason.startswith("malformed quoting")
    assert _customers(db, tenant) == [("c2", "Bob"), ("c3", "Cy")]
    multiline = tmp_path / "multi.csv"
    multiline.write_text(HEADER + 'c4,"Dee\nDoe",2026-01-01T00:00:00Z\n')
    assert _ingest(db, tenant, "customers", multiline).inserted["customers"] == 1


def test_a_nul_rejects_its_row_with_the_field_and_the_batch_lands(db: Database, tenant: str, tmp_path: Path) -> None:
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(HEADER + "c1,A\x00nn,2026-01-01T00:00:00Z\nc2,Bob,2026-01-01T00:00:00Z\n")
    result = _ingest(db, tenant, "customers", csv_path)
    assert [(r.line, r.field) for r in result.rejects] == [(2, "first_name")]
    assert "NUL" in result.rejects[0].reason
    event = {"customer_id": "c2", "type": "page_view", "ts": "2026-02-01T00:00:00Z"}
    events = _jsonl(
        tmp_path / "events.jsonl",
        [{**event, "event_id": "e1", "properties": {"note": "a\x00b"}}, {**event, "event_id": "e2"}],
    )
    result = _ingest(db, tenant, "events", events)
    assert [(r.line, r.field) for r in result.rejects] == [(1, "properties.note")]
    assert result.inserted == {"events": 1}


def test_a_reused_id_with_other_content_is_a_reject_naming_both_values(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    first = tmp_path / "customers.csv"
    first.write_text(HEADER + "c1,Ann,2026-01-01T00:00:00Z\n")
    _ingest(db, tenant, "customers", first)
    second = tmp_path / "customers2.csv"
    second.write_text(
        HEADER + "c1,Anne,2026-01-01T00:00:00Z\nc2,Bob,2026-01-01T00:00:00Z\nc2,Rob,2026-01-01T00:00:00Z\n"
    )
    result = _ingest(db, tenant, "customers", second)
    assert [(r.line, r.field) for r in result.rejects] == [(2, "customer_id"), (4, "customer_id")]
    assert "first_name 'Ann' (stored) vs 'Anne' (here)" in result.rejects[0].reason
    assert "first_name 'Bob' (line 3) vs 'Rob' (here)" in result.rejects[1].reason
    assert result.duplicates == 0
    assert _customers(db, tenant) == [("c1", "Ann"), ("c2", "Bob")]
    again = _ingest(db, tenant, "customers", first)
    assert (again.duplicates, again.rejects) == (1, [])


def test_a_reused_message_id_never_leaves_a_ticket_without_messages(db: Database, tenant: str, tmp_path: Path) -> None:
    people = tmp_path / "customers.csv"
    people.write_text(HEADER + "c1,Ann,2026-01-01T00:00:00Z\n")
    _ingest(db, tenant, "customers", people)
    message = {
        "message_id": "m1",
        "customer_id": "c1",
        "channel": "email",
        "subject": "Refund",
        "body": "Where is it?",
        "sent_at": "2026-03-01T10:00:00Z",
    }
    _ingest(db, tenant, "tickets", _jsonl(tmp_path / "t1.jsonl", [{**message, "ticket_id": "t1"}]))
    result = _ingest(db, tenant, "tickets", _jsonl(tmp_path / "t2.jsonl", [{**message, "ticket_id": "t2"}]))
    assert [(r.line, r.field) for r in result.rejects] == [(1, "message_id")]
    assert "ticket_id 't1' (stored) vs 't2' (here)" in result.rejects[0].reason
    with db.tenant(tenant) as conn:
        empty = conn.execute(
            "SELECT ticket_id FROM tickets t "
            "WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.ticket_id)"
        ).fetchall()
    assert empty == []


def test_empty_files_are_errors(db: Database, tenant: str, tmp_path: Path) -> None:
    empty = tmp_path / "customers.csv"
    empty.write_text("")
    with pytest.raises(UnreadableFileError, match="empty"):
        _ingest(db, tenant, "customers", empty)
    header_only = tmp_path / "only.csv"
    header_only.write_text(HEADER)
    with pytest.raises(IngestError, match="no rows"):
        _ingest(db, tenant, "customers", header_only)
    blank = tmp_path / "events.jsonl"
    blank.write_text("\n\n")
    with pytest.raises(IngestError, match="no rows"):
        _ingest(db, tenant, "events", blank)


def test_money_at_any_precision_is_rounded_half_even_and_the_original_kept(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    people = tmp_path / "customers.csv"
    people.write_text(HEADER + "c1,Ann,2026-01-01T00:00:00Z\n")
    _ingest(db, tenant, "customers", people)
    products = tmp_path / "products.csv"
    products.write_text("product_id,name,category,price,margin,inventory\np1,Shoe,run,14.665,0.4,5\n")
    assert _ingest(db, tenant, "products", products).rejects == []
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,line_no,customer_id,ordered_at,status,currency,product_id,quantity,unit_price\n"
        "o1,1,c1,2026-03-01,delivered,USD,p1,1,14.665\n"
        "o1,2,c1,2026-03-01,delivered,USD,p1,1,14.666666666666666666666\n"
        "o2,1,c1,2026-03-01,delivered,jpy,p1,1,1234.5\n"
        "o2,2,c1,2026-03-01,delivered,JPY,p1,1,12\n"
        "o3,1,c1,2026-03-01,delivered,USD,p1,1,12345678901.5\n"
    )
    result = _ingest(db, tenant, "orders", orders)
    assert [(r.line, r.field) for r in result.rejects] == [(6, "unit_price")]
    assert "digits" not in result.rejects[0].reason
    with db.tenant(tenant) as conn:
        lines = conn.execute(
            "SELECT order_id, line_no, unit_price, unit_price_original FROM order_lines ORDER BY 1, 2"
        ).fetchall()
        product = conn.execute("SELECT price, price_original FROM products").fetchone()
    assert lines == [
        ("o1", 1, Decimal("14.66"), Decimal("14.665")),
        ("o1", 2, Decimal("14.67"), Decimal("14.666666666666666666666")),
        ("o2", 1, Decimal("1234.00"), Decimal("1234.5")),
        ("o2", 2, Decimal("12.00"), None),
    ]
    assert product == (Decimal("14.66"), Decimal("14.665"))


def test_dates_without_time_take_the_configured_time_and_zone_and_are_counted(
    db: Database, tenant: str, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + "c1,Ann,2026-01-05\nc2,Bob,2026-01-05T08:00:00Z\nc3,Cy,9999-01-01T00:00:00Z\n")
    paris = Validation(date_time=time(9, 30), date_zone=ZoneInfo("Europe/Paris"))
    result = _ingest(db, tenant, "customers", path, options=paris)
    assert result.warnings == {DATE_WITHOUT_TIME: 1}
    assert [(r.line, r.field) for r in result.rejects] == [(4, "created_at")]
    assert result.rejects[0].reason.startswith("outside the plausible range")
    with db.tenant(tenant) as conn:
        created = conn.execute("SELECT created_at FROM customers WHERE customer_id = 'c1'").fetchone()
    assert created is not None and created[0] == datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("01 23 45 67 89", "fr", "+33123456789"),
        ("030 123456", "DE", "+4930123456"),
        ("07700 900123", "GB", "+447700900123"),
        ("0044 7700 900123", "FR", "+447700900123"),
        ("+1 206 555 0142", "FR", "+12065550142"),
        ("206-555-0142", None, "+12065550142"),
    ],
)
def test_phones_are_read_in_the_profiles_country(raw: str, country: str | None, expected: str) -> None:
    assert normalize_phone(raw, country) == expected
