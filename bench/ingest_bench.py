"""Event ingest throughput (issue 19, done-when: ≥ 150,000 events/s): validate + COPY + merge from a JSONL file
and through ``POST /v1/events``, each beside raw ``COPY`` of the same rows into the same ``events`` table in
the same run (no validation, no staging, no merge: the ceiling the loader is measured against)."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from bench.report import Figure, scratch_database, stopwatch
from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.data.ingest.loader import ingest_file
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings

EVENTS = 200_000
HTTP_EVENTS = 50_000
HTTP_BATCH = 10_000
CUSTOMERS = 2_000
TARGET = 150_000


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


def _raw_copy(db: Database, events: list[dict[str, object]]) -> float:
    """Rows per second of a bare COPY into ``events`` (its indexes and triggers included), text made beforehand."""
    text = "".join(
        f"bench\t{e['event_id']}\t{e['customer_id']}\t{e['type']}\t{e['ts']}\t{e['channel']}\t"
        f"{json.dumps(e['properties'])}\n"
        for e in events
    ).encode()
    with stopwatch() as elapsed, db.admin() as conn:  # COPY FROM is refused under row-level security
        cols = "tenant_id, event_id, customer_id, type, ts, channel, properties"
        with conn.cursor().copy(f"COPY events ({cols}) FROM STDIN") as copy:
            copy.write(text)
    return len(events) / elapsed()


def _http(db: Database, events: list[dict[str, object]], home: Path) -> float:
    settings = Settings(home=home, api=ApiSettings(rate_per_second=1e6, burst=10**6))
    key = create_key(db, "bench", "ingest-bench", "reviewer", actor="bench").token
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(db, settings)) as client, stopwatch() as elapsed:
        for i in range(0, len(events), HTTP_BATCH):
            reply = client.post("/v1/events", json={"events": events[i : i + HTTP_BATCH]}, headers=headers)
            assert reply.status_code == 200 and reply.json()["inserted"] == HTTP_BATCH, reply.text
    return len(events) / elapsed()


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
        raw_rate = _raw_copy(db, _events(EVENTS, offset=10 * EVENTS))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "events.jsonl"
            path.write_text("\n".join(json.dumps(e) for e in _events(EVENTS)) + "\n")
            with stopwatch() as elapsed, db.tenant("bench") as conn:
                result = ingest_file(conn, "events", path)
            file_rate = result.inserted["events"] / elapsed()
            http_rate = _http(db, _events(HTTP_EVENTS, offset=20 * EVENTS), Path(tmp))
    return [
        Figure(
            f"event ingest, {EVENTS:,} events from JSONL (validate + COPY + merge) vs raw COPY into events",
            file_rate,
            "events/s",
            f"≥ {TARGET:,} events/s",
            baseline=raw_rate,
            meets_target=file_rate >= TARGET,
        ),
        Figure(
            f"event ingest, {HTTP_EVENTS:,} events via POST /v1/events (batches of {HTTP_BATCH:,}) vs raw COPY",
            http_rate,
            "events/s",
            f"≥ {TARGET:,} events/s",
            baseline=raw_rate,
            meets_target=http_rate >= TARGET,
        ),
    ]
