"""Event ingest throughput: the COPY path (file → validate → COPY → merge) against row-by-row INSERT."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.data.ingest.loader import ingest_file
from hyperjourney.db.database import Database

EVENTS = 200_000
BASELINE_EVENTS = 10_000
CUSTOMERS = 2_000


def _events(n: int, offset: int = 0) -> list[dict[str, object]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "event_id": f"ev{offset + i}",
            "customer_id": f"c{i % CUSTOMERS}",
            "type": ("page_view", "product_view", "added_to_cart", "email_open")[i % 4],
            "ts": (start + timedelta(seconds=37 * i)).isoformat(),
            "channel": "web",
            "properties": {"page": f"/p/{i % 500}", "ref": "bench"},
        }
        for i in range(n)
    ]


def run() -> list[Figure]:
    with scratch_database() as db:
        assert isinstance(db, Database)
        db.create_tenant("bench")
        with db.tenant("bench") as conn:
            conn.execute(
                "INSERT INTO customers (tenant_id, customer_id) SELECT current_tenant(), 'c' || i "
                "FROM generate_series(0, %s) AS i",
                (CUSTOMERS - 1,),
            )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "events.jsonl"
            path.write_text("\n".join(json.dumps(e) for e in _events(EVENTS)) + "\n")
            with stopwatch() as elapsed, db.tenant("bench") as conn:
                result = ingest_file(conn, "events", path)
            copy_rate = result.inserted["events"] / elapsed()
        baseline_rows = _events(BASELINE_EVENTS, offset=EVENTS)
        with stopwatch() as elapsed, db.tenant("bench") as conn:
            for e in baseline_rows:
                conn.execute(
                    "INSERT INTO events (tenant_id, event_id, customer_id, type, ts, channel, properties) "
                    "VALUES (current_tenant(), %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (e["event_id"], e["customer_id"], e["type"], e["ts"], e["channel"], json.dumps(e["properties"])),
                )
        insert_rate = BASELINE_EVENTS / elapsed()
    return [
        Figure(
            f"event ingest, {EVENTS:,} events from JSONL (validate + COPY + merge)",
            copy_rate,
            "events/s",
            "≥ 50,000 events/s",
            baseline=insert_rate,
            meets_target=copy_rate >= 50_000,
        )
    ]
