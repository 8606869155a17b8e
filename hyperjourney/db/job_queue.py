"""The job queue's schema (procrastinate) installed and upgraded by `db migrate`, like the project's own tables.

A fresh database gets procrastinate's current schema and every migration it ships is recorded as applied; a
database installed by an older procrastinate gets the migrations it lacks, in their order. Versions are
recorded in ``schema_migrations`` as ``procrastinate:<file>``, so `check_current` sees a pending one too.
The application role gets the rights the workers and the API need to defer, fetch and finish jobs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, LiteralString, cast

import psycopg
from procrastinate.schema import SchemaManager
from psycopg import sql

from hyperjourney.db.urls import APP_ROLE

PREFIX = "procrastinate:"


def shipped() -> list[str]:
    """procrastinate's migration files, in the order they apply."""
    return sorted(p.name for p in Path(SchemaManager.get_migrations_path()).glob("*.sql"))


def pending(done: set[str]) -> list[str]:
    if not any(v.startswith(PREFIX) for v in done):
        return [f"{PREFIX}schema"]
    return [PREFIX + name for name in shipped() if PREFIX + name not in done]


def install(conn: psycopg.Connection[Any], done: set[str]) -> list[str]:
    """Install or upgrade the queue in ``conn``'s transaction; returns the versions applied now."""
    todo = pending(done)
    if todo == [f"{PREFIX}schema"]:
        conn.execute(sql.SQL(SchemaManager.get_schema()))
        applied = [PREFIX + name for name in shipped()]
    else:
        folder = Path(SchemaManager.get_migrations_path())
        for version in todo:
            text = (folder / version.removeprefix(PREFIX)).read_text(encoding="utf-8")
            conn.execute(sql.SQL(cast(LiteralString, text)))
        applied = todo
    if applied:
        _grant(conn)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO schema_migrations (version, checksum) VALUES (%s, 'procrastinate')",
                [(v,) for v in applied],
            )
    return applied


def _grant(conn: psycopg.Connection[Any]) -> None:
    tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")]
    for table in tables:
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                sql.Identifier(table), sql.Identifier(APP_ROLE)
            )
        )
    conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
