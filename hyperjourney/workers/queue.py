"""Putting work on the job queue from the API: the job and its bookkeeping row commit together."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

RUN_GRAPH = "hyperjourney.run_graph"
RUNS_QUEUE = "runs"


def defer_run(conn: psycopg.Connection[Any], tenant: str, flow: str, value: str) -> int:
    """Queue a canvas goal or a copilot ticket in ``conn``'s transaction (bound to ``tenant``); returns the job."""
    row = conn.execute(
        "SELECT (procrastinate_defer_jobs_v1(ARRAY[ROW(%s, %s, 0, NULL, NULL, %s, NULL)"
        "::procrastinate_job_to_defer_v1]))[1]",
        (RUNS_QUEUE, RUN_GRAPH, Jsonb({"tenant": tenant, "flow": flow, "value": value})),
    ).fetchone()
    assert row is not None
    conn.execute("INSERT INTO run_jobs (job_id, flow) VALUES (%s, %s)", (row[0], flow))
    return int(row[0])


class JobState(BaseModel):
    """A queued run as the worker left it: all empty until it records its first step or its failure."""

    run_id: str | None = None
    error: str | None = None
    bad_input: bool = False


def job_state(conn: psycopg.Connection[Any], job_id: int) -> JobState:
    row = conn.execute("SELECT run_id, error, bad_input FROM run_jobs WHERE job_id = %s", (job_id,)).fetchone()
    return JobState() if row is None else JobState(run_id=row[0], error=row[1], bad_input=row[2])


def record_run_id(conn: psycopg.Connection[Any], job_id: int, run_id: str) -> None:
    conn.execute("UPDATE run_jobs SET run_id = %s WHERE job_id = %s AND run_id IS NULL", (run_id, job_id))


def record_error(conn: psycopg.Connection[Any], job_id: int, error: str, *, bad_input: bool) -> None:
    conn.execute("UPDATE run_jobs SET error = %s, bad_input = %s WHERE job_id = %s", (error, bad_input, job_id))
