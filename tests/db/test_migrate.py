from __future__ import annotations

import pytest

from hyperjourney.db import job_queue
from hyperjourney.db.database import Database
from hyperjourney.db.errors import DatabaseError
from hyperjourney.db.migrate import applied, available, check_current, migrate


def test_migrations_rerun_cleanly(db: Database) -> None:
    versions = [m.version for m in available()] + [job_queue.PREFIX + name for name in job_queue.shipped()]
    assert migrate(db) == []
    assert migrate(db) == []
    assert [v for v, _ in applied(db)] == versions
    with db.admin() as conn:
        count = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()
    assert count == (len(versions),)


def test_an_edited_applied_migration_is_refused(db: Database) -> None:
    first = available()[0].version
    with db.admin() as conn:
        original = conn.execute("SELECT checksum FROM schema_migrations WHERE version = %s", (first,)).fetchone()
        conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = %s", (first,))
    try:
        with pytest.raises(DatabaseError, match="changed after it was applied"):
            migrate(db)
    finally:
        with db.admin() as conn:
            conn.execute("UPDATE schema_migrations SET checksum = %s WHERE version = %s", (original[0], first))


def test_pgvector_is_available(db: Database) -> None:
    with db.admin() as conn:
        row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        assert row is not None
        assert conn.execute("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector").fetchone() == (1.0,)


def test_migrate_installs_the_job_queue_the_app_role_can_use(db: Database) -> None:
    check_current(db)  # nothing pending: the queue's migrations are recorded too
    with db.unbound() as conn:
        ids = conn.execute(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('q', 't', 0, NULL, NULL, '{}'::jsonb, NULL)"
            "::procrastinate_job_to_defer_v1])"
        ).fetchone()
        assert ids is not None and len(ids[0]) == 1
        conn.execute("DELETE FROM procrastinate_jobs WHERE id = %s", (ids[0][0],))
