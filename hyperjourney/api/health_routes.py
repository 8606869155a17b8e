"""Liveness and readiness, apart: a load balancer must learn the process is alive even while every worker
thread and pooled connection is busy, and separately whether it can serve (the database answers and, where
the API relies on workers for its runs, at least one worker is alive)."""

from __future__ import annotations

import psycopg
from fastapi import APIRouter, Request
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field

from hyperjourney import __version__
from hyperjourney.api.observability import WORKER_HEARTBEAT_S, live_workers
from hyperjourney.api.problems import PROBLEM_JSON, ApiProblem, Problem
from hyperjourney.db.database import Database

router = APIRouter(tags=["health"])
READY_TIMEOUT_S = 2.0


class Health(BaseModel):
    status: str
    version: str
    workers: int | None = Field(None, description="workers with a recent heartbeat (readiness, when required)")


@router.get("/health", response_model=Health, summary="Liveness: answers on the event loop (no key, no database)")
async def health() -> Health:
    """An ``async`` route with no dependency: it needs neither a worker thread nor a database connection,
    so it answers while both are exhausted (it took 29.9 s behind stuck requests when it needed a thread)."""
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Health,
    summary="Readiness: the database answers within 2 s, and a worker is alive where `serve` relies on them (no key)",
    responses={
        503: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": "Database unreachable, or no worker"}
    },
)
def ready(request: Request) -> Health:
    """One pooled connection runs ``SELECT 1``; 503 when none is free within 2 s or the database is down. With
    ``require_workers`` (``serve``), also 503 while no worker has sent a heartbeat in the last 30 s: runs,
    journeys and sends would wait in the queue."""
    db: Database = request.app.state.db
    try:
        with db.pool.connection(timeout=READY_TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
        workers = live_workers(db) if request.app.state.require_workers else None
    except (PoolTimeout, psycopg.Error, OSError) as exc:
        raise ApiProblem(503, "Not ready", f"the database did not answer: {type(exc).__name__}") from exc
    if workers == 0:
        raise ApiProblem(503, "Not ready", f"no worker has sent a heartbeat in the last {WORKER_HEARTBEAT_S} s")
    return Health(status="ready", version=__version__, workers=workers)
