"""Eval runs in Postgres (tenant-scoped by RLS): save, load, history, and the baseline each suite gates against."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.evals.results import EvalRun, RunContext, Series, SuiteResult, Tier
from hyperjourney.monitoring.drift import DriftReport
from hyperjourney.monitoring.store import save_drift


class UnknownRunError(ValueError):
    pass


def new_run_id(suite: str) -> str:
    return f"{suite}-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def save(
    conn: psycopg.Connection[Any],
    result: SuiteResult,
    *,
    tier: Tier,
    context: RunContext,
    started_at: datetime,
    drift: DriftReport | None = None,
) -> EvalRun:
    """Write the run and its items in the caller's transaction, so a failed run leaves nothing half-written."""
    if drift is not None:
        save_drift(conn, drift)
    run = EvalRun(
        run_id=new_run_id(result.suite),
        suite=result.suite,
        tier=tier,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        context=context,
        metrics=result.metrics,
        series=result.series,
        drift=drift,
    )
    conn.execute(
        "INSERT INTO eval_runs (run_id, suite, tier, started_at, finished_at, context, metrics, series, "
        "drift_report_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            run.run_id,
            run.suite,
            run.tier,
            run.started_at,
            run.finished_at,
            Jsonb(context.model_dump()),
            Jsonb(run.metrics),
            Jsonb({k: v.model_dump() for k, v in run.series.items()}),
            drift.report_id if drift is not None else None,
        ),
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO eval_items (run_id, item_id, passed, scores, detail) VALUES (%s, %s, %s, %s, %s)",
            [(run.run_id, i.item_id, i.passed, Jsonb(i.scores), Jsonb(i.detail)) for i in result.items],
        )
    audit.append(conn, actor="eval", action="eval_run", entity=run.run_id, payload={"metrics": run.metrics})
    return run


_COLUMNS = "r.run_id, r.suite, r.tier, r.started_at, r.finished_at, r.context, r.metrics, r.series, d.report"
_FROM = "eval_runs r LEFT JOIN drift_reports d ON d.report_id = r.drift_report_id"


def _from_row(row: tuple[Any, ...]) -> EvalRun:
    run_id, suite, tier, started_at, finished_at, context, metrics, series, drift = row
    return EvalRun(
        run_id=run_id,
        suite=suite,
        tier=tier,
        started_at=started_at,
        finished_at=finished_at,
        context=RunContext.model_validate(context),
        metrics=metrics,
        series={k: Series.model_validate(v) for k, v in series.items()},
        drift=DriftReport.model_validate(drift) if drift is not None else None,
    )


def load(conn: psycopg.Connection[Any], run_id: str) -> EvalRun:
    row = conn.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE r.run_id = %s", (run_id,)).fetchone()
    if row is None:
        raise UnknownRunError(f"no eval run {run_id!r} for this tenant; `hyperjourney eval list` shows the runs")
    return _from_row(row)


def history(conn: psycopg.Connection[Any], suite: str | None = None, limit: int = 50) -> list[EvalRun]:
    """Newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE %(suite)s::text IS NULL OR r.suite = %(suite)s "
        "ORDER BY r.started_at DESC LIMIT %(limit)s",
        {"suite": suite, "limit": limit},
    ).fetchall()
    return [_from_row(r) for r in rows]


def failed_items(conn: psycopg.Connection[Any], run_id: str, limit: int = 20) -> list[tuple[str, dict[str, Any]]]:
    rows = conn.execute(
        "SELECT item_id, detail FROM eval_items WHERE run_id = %s AND NOT passed ORDER BY item_id LIMIT %s",
        (run_id, limit),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def samples(conn: psycopg.Connection[Any], run_id: str, per_split: int = 3) -> list[tuple[str, dict[str, Any]]]:
    """Items whose detail carries a rendered ``sample`` (the input beside the output and what it cited), the first
    few of each split (held-out item ids carry their split as a prefix)."""
    rows = conn.execute(
        "SELECT item_id, detail->'sample' FROM eval_items WHERE run_id = %s AND detail ? 'sample' ORDER BY item_id",
        (run_id,),
    ).fetchall()
    taken: dict[str, int] = {}
    out = []
    for item_id, sample in rows:
        split = str(item_id).partition(":")[0] if ":" in str(item_id) else "dev"
        if taken.get(split, 0) < per_split:
            taken[split] = taken.get(split, 0) + 1
            out.append((str(item_id), dict(sample)))
    return out


def set_baseline(conn: psycopg.Connection[Any], run_id: str) -> EvalRun:
    run = load(conn, run_id)
    conn.execute(
        "INSERT INTO eval_baselines (suite, run_id) VALUES (%s, %s) "
        "ON CONFLICT (tenant_id, suite) DO UPDATE SET run_id = EXCLUDED.run_id, set_at = now()",
        (run.suite, run.run_id),
    )
    audit.append(conn, actor="eval", action="eval_baseline", entity=run.run_id, payload={"suite": run.suite})
    return run


def baseline(conn: psycopg.Connection[Any], suite: str) -> EvalRun | None:
    row = conn.execute("SELECT run_id FROM eval_baselines WHERE suite = %s", (suite,)).fetchone()
    return load(conn, row[0]) if row else None
