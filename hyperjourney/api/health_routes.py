"""Liveness and readiness, apart: a load balancer must learn the process is alive even while every worker
thread and pooled connection is busy, and separately whether it can serve (the database answers)."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Request
from psycopg_pool import PoolTimeout
from pydantic import BaseModel

from hyperjourney import __version__
from hyperjourney.api.problems import PROBLEM_JSON, ApiProblem, Problem
from hyperjourney.db.database import Database

router = APIRouter(tags=["health"])
READY_TIMEOUT_S = 2.0


class Health(BaseModel):
    status: str
    version: str


@router.get("/health", response_model=Health, summary="Liveness: answers on the event loop (no key, no database)")
async def health() -> Health:
    """An ``async`` route with no dependency: it needs neither a worker thread nor a database connection,
    so it answers while both are exhausted (it took 29.9 s behind stuck requests when it needed a thread)."""
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Health,
    summary="Readiness: the database answers within 2 s (no key)",
    responses={503: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Database unreachable or busy"}},
)
def ready(request: Request) -> Health:
    """One pooled connection runs ``SELECT 1``; 503 when none is free within 2 s or the database is down."""
    db: Database = request.app.state.db
    try:
        with db.pool.connection(timeout=READY_TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
    except (PoolTimeout, psycopg.Error, OSError) as exc:
        raise ApiProblem(503, "Not ready", f"the database did not answer: {type(exc).__name__}") from exc
    return Health(status="ready", version=__version__)
