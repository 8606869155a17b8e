"""Identity resolution: normalization rules and the union-find merge, against the real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperjourney.data import identities
from hyperjourney.data.ingest.loader import ingest_file
from hyperjourney.db.database import Database


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" Jane.Doe@Example.COM ", "jane.doe@example.com"), ("j.a.ne+promo@googlemail.com", "jane@gmail.com")],
)
def test_email_normalization(raw: str, expected: str) -> None:
    assert identities.normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["+1 (206) 555-0142", "206-555-0142", "001 206 555 0142", "2065550142"])
def test_phone_normalization(raw: str) -> None:
    assert identities.normalize_phone(raw) == "+12065550142"


def test_transitive_merge_into_oldest_profile_with_history(db: Database, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,email,phone,crm_id,created_at\n"
        "c3,zed@example.com,206-555-0199,,2026-01-03T00:00:00Z\n"
        "c1,Ann@Example.com,,crm-9,2026-01-01T00:00:00Z\n"
        "c2, ann@example.com ,+1 (206) 555-0199,,2026-01-02T00:00:00Z\n"
        "c4,solo@example.com,,,2026-01-04T00:00:00Z\n"
        "c5,other@example.com,,crm-9,2026-01-05T00:00:00Z\n"
    )
    with db.tenant(tenant) as conn:
        ingest_file(conn, "customers", path)
        first = identities.resolve(conn)
        again = identities.resolve(conn)
        merged = dict(conn.execute("SELECT customer_id, merged_into FROM customers ORDER BY 1").fetchall())
        history = conn.execute(
            "SELECT merged_customer, into_customer, rule, evidence FROM identity_merges ORDER BY 1"
        ).fetchall()
    assert first.merged_now == 3 and first.merged_total == 3
    assert again.merged_now == 0 and again.merged_total == 3
    assert merged == {"c1": None, "c2": "c1", "c3": "c1", "c4": None, "c5": "c1"}
    rules = {m: r for m, _, r, _ in history}
    assert rules == {"c2": "same_email", "c3": "same_phone", "c5": "same_crm_id"}
    assert all("ann@" not in e and "0199" not in e[:-4] for *_, e in history)
