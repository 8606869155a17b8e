"""Opaque keyset cursors for listings ordered newest first by (created_at, id): a page never repeats or
skips a row when rows arrive between requests, which an offset would."""

from __future__ import annotations

import base64
from datetime import datetime

from hyperjourney.api.problems import ApiProblem


def encode_cursor(created_at: datetime, row_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (created_at, id) a cursor stands for; 422 naming ``cursor`` for one this API did not make."""
    if cursor is None:
        return None
    try:
        at, _, row_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        when = datetime.fromisoformat(at)
    except ValueError as exc:
        raise ApiProblem(422, "Invalid request", "not a cursor from a previous page", field="cursor") from exc
    if not row_id or when.tzinfo is None:
        raise ApiProblem(422, "Invalid request", "not a cursor from a previous page", field="cursor")
    return when, row_id
