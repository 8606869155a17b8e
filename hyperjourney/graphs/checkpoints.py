"""LangGraph checkpoints in the project's Postgres, one tenant per connection (RLS does the isolation).

The tables are created by migration 0006 as the owner; the saver runs on an app-role connection whose
session is bound to the tenant, so a run id from another tenant is simply not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row

from hyperjourney.db.database import Database


@contextmanager
def tenant_saver(db: Database, tenant: str) -> Iterator[PostgresSaver]:
    conn: psycopg.Connection[Any] = psycopg.connect(
        db.app_url, autocommit=True, prepare_threshold=0, row_factory=dict_row
    )
    try:
        conn.execute("SELECT set_config('hyperjourney.tenant_id', %s, false)", (tenant,))
        yield PostgresSaver(conn)
    finally:
        conn.close()
