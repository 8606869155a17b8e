"""Connections: an admin connection for migrations and tenant setup, and a pool of tenant-bound ones.

Application connections log in as ``hyperjourney_app`` (no BYPASSRLS), so row-level security, not Python,
keeps tenants apart: a transaction opened through :meth:`Database.tenant` sees only that tenant's rows.

A thread that holds a pooled connection must never ask for a second one: with as many such threads as the
pool has connections, every one of them waits for a connection none will give back (a pool deadlock).
With ``guard_nested`` on (the ``pool_guard`` setting; tests turn it on) such a request raises
:class:`NestedConnectionError` naming both call sites, so the nesting is found by any test that runs it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from hyperjourney.db import urls
from hyperjourney.db.errors import DatabaseError, NestedConnectionError, UnknownTenantError
from hyperjourney.settings import Settings

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
_SKIP_FILES = (str(Path(__file__).resolve()), "contextlib.py")


def _call_site() -> str:
    """The first frame outside this module and contextlib: who asked for the connection."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.endswith(_SKIP_FILES):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "?"
    path = Path(frame.f_code.co_filename)
    shown = path.relative_to(_PACKAGE_ROOT.parent) if path.is_relative_to(_PACKAGE_ROOT.parent) else path
    return f"{shown}:{frame.f_lineno} in {frame.f_code.co_name}"


class Database:
    def __init__(self, admin_url: str, app_url: str, *, pool_max_size: int = 8, guard_nested: bool = False) -> None:
        self.admin_url = admin_url
        self.app_url = app_url
        self.guard_nested = guard_nested
        self._pool_max_size = pool_max_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._known_tenants: set[str] = set()
        self._held = threading.local()  # call sites of the pooled connections this thread holds

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Resolve URLs from settings, starting the embedded server when no external URL is set."""
        admin_url = urls.admin_url(settings)
        app_url = urls.app_url(settings, admin_url)
        return cls(admin_url, app_url, pool_max_size=settings.pool_max_size, guard_nested=settings.pool_guard)

    @property
    def pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.app_url, min_size=1, max_size=self._pool_max_size, open=True, name="hyperjourney"
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def admin(self) -> Iterator[psycopg.Connection[Any]]:
        """A short-lived owner connection in one transaction (committed on success)."""
        try:
            conn = psycopg.connect(self.admin_url)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"cannot connect to the database: {exc}".strip()) from exc
        with conn:
            yield conn

    @contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection, refused (with ``guard_nested``) to a thread that already holds one."""
        if not self.guard_nested:  # production: no call-site bookkeeping on the hot path
            with self.pool.connection() as conn:
                yield conn
            return
        held: list[str] = self._held.__dict__.setdefault("sites", [])
        site = _call_site()
        if held:
            raise NestedConnectionError(
                f"{site} asks for a second pooled connection while {held[-1]} holds one; "
                "pass the open connection down or finish the first before taking the second"
            )
        held.append(site)
        try:
            with self.pool.connection() as conn:
                yield conn
        finally:
            held.pop()

    @contextmanager
    def tenant(self, tenant_id: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled app-role connection inside one transaction bound to ``tenant_id``."""
        with self._pooled() as conn, conn.transaction():
            self._bind(conn, tenant_id)
            yield conn

    @contextmanager
    def dedicated(self, tenant_id: str) -> Iterator[psycopg.Connection[Any]]:
        """A connection of its own (not from the pool) in one transaction bound to ``tenant_id``.

        For the rare caller that must keep a transaction open (a lock held until its result is recorded)
        while calling code that takes pooled connections: holding a pooled one there could deadlock the pool."""
        try:
            conn = psycopg.connect(self.app_url)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"cannot connect to the database: {exc}".strip()) from exc
        with conn, conn.transaction():
            self._bind(conn, tenant_id)
            yield conn

    def _bind(self, conn: psycopg.Connection[Any], tenant_id: str) -> None:
        conn.execute("SELECT set_config('hyperjourney.tenant_id', %s, true)", (tenant_id,))
        if tenant_id not in self._known_tenants:
            if conn.execute("SELECT 1 FROM tenants").fetchone() is None:
                raise UnknownTenantError(
                    f"tenant {tenant_id!r} does not exist (create it with `hyperjourney seed` "
                    f"or `hyperjourney tenant create {tenant_id}`)"
                )
            self._known_tenants.add(tenant_id)

    @contextmanager
    def unbound(self) -> Iterator[psycopg.Connection[Any]]:
        """An app-role connection bound to no tenant: under RLS it sees no tenant rows at all."""
        with self._pooled() as conn, conn.transaction():
            yield conn

    def create_tenant(self, tenant_id: str, name: str | None = None) -> bool:
        """Create a tenant if missing; returns True when it was created."""
        with self.admin() as conn:
            row = conn.execute(
                "INSERT INTO tenants (tenant_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                (tenant_id, name or tenant_id),
            ).fetchone()
        return row is not None
