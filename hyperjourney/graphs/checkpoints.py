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
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from psycopg.rows import dict_row

from hyperjourney.db.database import Database

# The typed values the flows keep in their state (graphs/canvas.py, copilot.py, nba.py): checkpoints restore
# exactly these classes, and nothing else a checkpoint row might name.
STATE_TYPES = (
    ("hyperjourney.graphs.wiring", "Spent"),
    ("hyperjourney.review.queue", "Escalation"),
    ("hyperjourney.agents.researcher", "ResearchBrief"),
    ("hyperjourney.agents.researcher", "CustomerContext"),
    ("hyperjourney.agents.analyst", "Opportunity"),
    ("hyperjourney.agents.copywriter", "CopySet"),
    ("hyperjourney.agents.copywriter", "Reply"),
    ("hyperjourney.agents.orchestrator", "JourneyProposal"),
    ("hyperjourney.agents.orchestrator", "NbaResult"),
    ("hyperjourney.agents.tone", "ToneResult"),
    ("hyperjourney.graphs.copilot", "TicketFacts"),
    ("hyperjourney.graphs.assistant", "TurnReply"),
    ("hyperjourney.tools.actions", "ActionResult"),
)
SERDE = JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES)


@contextmanager
def tenant_saver(db: Database, tenant: str) -> Iterator[PostgresSaver]:
    conn: psycopg.Connection[Any] = psycopg.connect(
        db.app_url, autocommit=True, prepare_threshold=0, row_factory=dict_row
    )
    try:
        conn.execute("SELECT set_config('hyperjourney.tenant_id', %s, false)", (tenant,))
        yield PostgresSaver(conn, serde=SERDE)
    finally:
        conn.close()
