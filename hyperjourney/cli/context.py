"""What every command shares: settings, the database handle, and errors printed for people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from hyperjourney.db.embedded import EmbeddedDatabaseError
from hyperjourney.db.errors import DatabaseError
from hyperjourney.settings import Settings, get_settings

if TYPE_CHECKING:  # the driver and migrations load with the first command that connects, not with `db url`
    from hyperjourney.db.database import Database

console = Console()
err_console = Console(stderr=True)

# IngestError and UnreadableFileError are ValueErrors; importing them here would load the ingest stack for every command
USER_ERRORS = (DatabaseError, EmbeddedDatabaseError, ValueError)


def settings() -> Settings:
    return get_settings()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into one red line and exit code 1 instead of a traceback."""
    try:
        yield
    except USER_ERRORS as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(1) from exc


@contextmanager
def database(*, migrate_schema: bool = False) -> Iterator[Database]:
    """Open the configured database (starting the embedded one).

    Only `db up/migrate/reset`, `demo` and the servers migrate; every other command checks with one query that
    the schema is current and says to run `hyperjourney db migrate` when it is behind.
    """
    from hyperjourney.db.database import Database
    from hyperjourney.db.migrate import check_current, migrate

    s = settings()
    db = Database.from_settings(s)
    try:
        if migrate_schema:
            pw = s.app_db_password.get_secret_value() if s.app_db_password else None
            migrate(db, pw)
        else:
            check_current(db)
        yield db
    finally:
        db.close()


TenantOption = typer.Option(None, "--tenant", "-t", help="Tenant id (default: HYPERJOURNEY_TENANT or 'demo').")


def tenant_or_default(tenant: str | None) -> str:
    return tenant or settings().tenant
