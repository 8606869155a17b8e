"""Attaching to the running embedded server from its postmaster.pid gives pgserver's own URI, and nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from hyperjourney.db import embedded
from hyperjourney.db.database import Database
from hyperjourney.settings import Settings


def test_a_running_server_is_attached_with_pgservers_uri(db: Database, settings: Settings) -> None:
    import pgserver

    attached = pgserver.get_server(embedded.pgdata_dir(settings.home_dir), cleanup_mode=None)
    assert embedded.running_uri(settings.home_dir) == str(attached.get_uri())
    assert embedded.start(settings.home_dir) == str(attached.get_uri())


def _pid_file(home: Path, pid: int, status: str = "ready") -> None:
    pgdata = embedded.pgdata_dir(home)
    pgdata.mkdir(parents=True)
    lines = [str(pid), str(pgdata), "1712346200", "5432", "/tmp", "localhost", "8826964     65536", status]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")


def test_no_uri_without_a_ready_postgres_owning_the_pid_file(tmp_path: Path) -> None:
    assert embedded.running_uri(tmp_path) is None  # no data directory at all
    _pid_file(tmp_path / "not-postgres", os.getpid())  # a live process, but this one is python
    assert embedded.running_uri(tmp_path / "not-postgres") is None
    _pid_file(tmp_path / "gone", 2**22 + 12345)  # no such process
    assert embedded.running_uri(tmp_path / "gone") is None
    (tmp_path / "torn" / "pgdata").mkdir(parents=True)
    (tmp_path / "torn" / "pgdata" / "postmaster.pid").write_text("12\n")  # written halfway
    assert embedded.running_uri(tmp_path / "torn") is None
