"""`hyperjourney db ...`: run and inspect the database."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import typer

from hyperjourney.cli.context import console, database, settings, user_errors
from hyperjourney.db import embedded, urls

if TYPE_CHECKING:  # the driver and migrations load inside the commands that connect: `db url` stays instant
    from hyperjourney.db.database import Database

app = typer.Typer(help="Start, inspect, migrate and reset the database (embedded by default).", no_args_is_help=True)


@app.command()
def up() -> None:
    """Start the embedded Postgres (no-op for an external server) and apply migrations."""
    with user_errors(), database(migrate_schema=True) as db:
        console.print(f"[green]database ready[/] ({_where(db)})")


@app.command()
def status() -> None:
    """Show whether the database is running and which migrations are applied."""
    s = settings()
    with user_errors():
        if s.embedded:
            st = embedded.status(s.home_dir)
            console.print(
                f"embedded Postgres in {st.pgdata}: " + ("[green]running[/]" if st.running else "[yellow]stopped[/]")
            )
            if not st.running:
                return
        from hyperjourney.db.database import Database
        from hyperjourney.db.migrate import applied, available

        db = Database.from_settings(s)
        done = {v for v, _ in applied(db)}
        pending = [m.version for m in available() if m.version not in done]
        console.print(f"migrations applied: {len(done)}, pending: {len(pending)} {' '.join(pending)}")


@app.command()
def down() -> None:
    """Stop the embedded Postgres cleanly."""
    s = settings()
    if not s.embedded:
        console.print("external database configured (HYPERJOURNEY_DATABASE_URL): nothing to stop")
        return
    with user_errors():
        stopped = embedded.stop(s.home_dir)
    console.print("[green]stopped[/]" if stopped else "was not running")


@app.command()
def url(app_role: bool = typer.Option(False, "--app", help="Print the application role's URL instead.")) -> None:
    """Print the connection URL (starts the embedded server if needed)."""
    with user_errors():
        s = settings()
        admin = urls.admin_url(s)
        typer.echo(urls.app_url(s, admin) if app_role else admin)


@app.command("migrate")
def migrate_command() -> None:
    """Apply pending migrations (each once, in its own transaction)."""
    from hyperjourney.db.database import Database
    from hyperjourney.db.migrate import migrate

    s = settings()
    with user_errors():
        db = Database.from_settings(s)
        pw = s.app_db_password.get_secret_value() if s.app_db_password else None
        done = migrate(db, pw)
    console.print(f"applied {len(done)} migration(s): {', '.join(done)}" if done else "schema is up to date")


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Delete ALL data and recreate an empty, migrated database."""
    s = settings()
    if not yes:
        typer.confirm("This deletes every tenant and all data. Continue?", abort=True)
    with user_errors():
        if s.embedded:
            embedded.stop(s.home_dir)
            shutil.rmtree(embedded.pgdata_dir(s.home_dir), ignore_errors=True)
        else:
            from hyperjourney.db.database import Database

            db = Database.from_settings(s)
            with db.admin() as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
        with database(migrate_schema=True) as db:
            console.print(f"[green]database reset[/] ({_where(db)})")


def _where(db: Database) -> str:
    s = settings()
    return f"embedded in {embedded.pgdata_dir(s.home_dir)}" if s.embedded else "external server"
