"""Drift reports in the tenant's database: stored once per measurement, the newest read back by anyone."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.monitoring.drift import DriftReport


def save_drift(conn: psycopg.Connection[Any], report: DriftReport) -> None:
    """Store a drift report once (every suite run of one `eval run` references the same report)."""
    inserted = conn.execute(
        "INSERT INTO drift_reports (report_id, computed_at, report) VALUES (%s, %s, %s) "
        "ON CONFLICT (report_id) DO NOTHING RETURNING 1",
        (report.report_id, report.computed_at, Jsonb(report.model_dump(mode="json"))),
    ).fetchone()
    if inserted is not None:
        audit.append(
            conn,
            actor="eval",
            action="drift_report",
            entity=report.report_id,
            payload={"max_psi": report.max_psi, "drifted": [r.name for r in report.drifted()]},
        )


def latest_drift(conn: psycopg.Connection[Any]) -> DriftReport | None:
    """The tenant's newest drift report, whichever command measured it."""
    row = conn.execute("SELECT report FROM drift_reports ORDER BY computed_at DESC LIMIT 1").fetchone()
    return DriftReport.model_validate(row[0]) if row else None
