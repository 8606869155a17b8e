"""The embedded Postgres (pgserver): started on demand in the home directory, reused, stopped on request."""

from __future__ import annotations

import atexit
import logging
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

logging.getLogger("pgserver").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")


class EmbeddedDatabaseError(RuntimeError):
    pass


@dataclass(frozen=True)
class EmbeddedStatus:
    running: bool
    pgdata: Path
    pid: int | None
    uri: str | None


def pgdata_dir(home: Path) -> Path:
    return home / "pgdata"


def start(home: Path) -> str:
    """Start (or attach to) the embedded server and return its superuser URI; the server outlives us."""
    uri = running_uri(home)
    if uri is not None:
        return uri
    import pgserver

    home.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(pgdata_dir(home), cleanup_mode=None)
    except subprocess.CalledProcessError as exc:
        log = pgdata_dir(home) / "log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise EmbeddedDatabaseError(f"embedded Postgres failed to start in {pgdata_dir(home)}:\n{tail}") from exc
    return str(server.get_uri())


def running_uri(home: Path) -> str | None:
    """The URI of a server already running and ready in ``home``, read from its postmaster.pid as pgserver reads it.

    Attaching through pgserver imports psutil and checks the data directory (about half a second of every CLI
    command's start); a running server needs neither. None when no ready postgres process owns the file.
    """
    try:
        lines = [line.strip() for line in (pgdata_dir(home) / "postmaster.pid").read_text().splitlines()]
        pid = int(lines[0])
        alive = "postgres" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except (OSError, ValueError, IndexError):
        return None
    if len(lines) != 8 or lines[7] != "ready" or not alive:
        return None
    if lines[4]:
        return f"postgresql://postgres:@/postgres?host={lines[4]}"
    return f"postgresql://postgres:@{lines[5]}:{lines[3]}/postgres" if lines[3] and lines[5] else None


def status(home: Path) -> EmbeddedStatus:
    from pgserver.utils import PostmasterInfo

    pgdata = pgdata_dir(home)
    info = PostmasterInfo.read_from_pgdata(pgdata) if (pgdata / "PG_VERSION").exists() else None
    if info is None or not info.is_running() or info.status != "ready":
        return EmbeddedStatus(False, pgdata, None, None)
    return EmbeddedStatus(True, pgdata, info.pid, str(info.get_uri()))


def stop(home: Path) -> bool:
    """Stop the server cleanly; returns False if it was not running."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]
    from pgserver.postgres_server import PostgresServer

    if not status(home).running:
        return False
    pgdata = pgdata_dir(home)
    user = "pgserver" if _is_root() else None
    handle = PostgresServer._instances.pop(pgdata.resolve(), None)
    if handle is not None:
        atexit.unregister(handle._cleanup)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0
