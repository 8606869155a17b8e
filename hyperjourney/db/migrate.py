"""Ordered SQL migrations, each applied once in its own transaction and recorded in schema_migrations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from psycopg import sql

from hyperjourney.db import job_queue
from hyperjourney.db.database import Database
from hyperjourney.db.errors import DatabaseError
from hyperjourney.db.urls import APP_ROLE


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    folder = resources.files("hyperjourney.db") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def migrate(db: Database, app_password: str | None = None) -> list[str]:
    """Apply pending migrations; returns the versions applied now. Safe to run any number of times."""
    applied_now: list[str] = []
    with db.admin() as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
    for migration in available():
        with db.admin() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('hyperjourney:migrate'))")
            row = conn.execute(
                "SELECT checksum FROM schema_migrations WHERE version = %s", (migration.version,)
            ).fetchone()
            if row is not None:
                if row[0] != migration.checksum:
                    raise DatabaseError(
                        f"migration {migration.version} changed after it was applied; "
                        "add a new migration instead of editing an applied one"
                    )
                continue
            try:
                conn.execute(sql.SQL(migration.sql))
            except Exception as exc:
                raise DatabaseError(f"migration {migration.version} failed: {exc}") from exc
            conn.execute(
                "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                (migration.version, migration.checksum),
            )
            applied_now.append(migration.version)
    with db.admin() as conn:  # the job queue the workers run, in the same database and the same command
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('hyperjourney:migrate'))")
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        try:
            applied_now += job_queue.install(conn, done)
        except Exception as exc:
            raise DatabaseError(f"job queue schema failed: {exc}") from exc
    if app_password:
        with db.admin() as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(APP_ROLE), sql.Literal(app_password))
            )
    return applied_now


def applied(db: Database) -> list[tuple[str, str]]:
    with db.admin() as conn:
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        return [(v, str(t)) for v, t in conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY 1")]


class SchemaBehindError(DatabaseError):
    """The database lacks migrations this version ships: commands would fail halfway on a missing column."""


def check_current(db: Database) -> None:
    """One query: raise SchemaBehindError naming the command to run when a shipped migration is not applied."""
    done = {version for version, _ in applied(db)}
    pending = [m.version for m in available() if m.version not in done] + job_queue.pending(done)
    if pending:
        raise SchemaBehindError(
            f"the database schema is behind ({len(pending)} migration(s) pending: {', '.join(pending)}): "
            "run `hyperjourney db migrate`"
        )
