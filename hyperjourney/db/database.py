"""Connections: an admin connection for migrations and tenant setup, and a pool of tenant-bound ones.

Application connections log in as ``hyperjourney_app`` (no BYPASSRLS), so row-level security, not Python,
keeps tenants apart: a transaction opened through :meth:`Database.tenant` sees only that tenant's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from hyperjourney.db import embedded
from hyperjourney.settings import Settings

APP_ROLE = "hyperjourney_app"


class DatabaseError(RuntimeError):
    """A database problem explained for a person (what failed, what to run)."""


class UnknownTenantError(DatabaseError):
    pass


class Database:
    def __init__(self, admin_url: str, app_url: str, *, pool_max_size: int = 8) -> None:
        self.admin_url = admin_url
        self.app_url = app_url
        self._pool_max_size = pool_max_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._known_tenants: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Resolve URLs from settings, starting the embedded server when no external URL is set."""
        if settings.database_url is None:
            admin_url = embedded.start(settings.home_dir)
        else:
            admin_url = settings.database_url.get_secret_value()
        if settings.app_database_url is not None:
            app_url = settings.app_database_url.get_secret_value()
        else:
            password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
            app_url = app_url_for(admin_url, password)
        return cls(admin_url, app_url, pool_max_size=settings.pool_max_size)

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
    def tenant(self, tenant_id: str) -> Iterator[psycopg.Connection[Any]]:
        """A pooled app-role connection inside one transaction bound to ``tenant_id``."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT set_config('hyperjourney.tenant_id', %s, true)", (tenant_id,))
            if tenant_id not in self._known_tenants:
                if conn.execute("SELECT 1 FROM tenants").fetchone() is None:
                    raise UnknownTenantError(
                        f"tenant {tenant_id!r} does not exist (create it with `hyperjourney seed` "
                        f"or `hyperjourney tenant create {tenant_id}`)"
                    )
                self._known_tenants.add(tenant_id)
            yield conn

    @contextmanager
    def unbound(self) -> Iterator[psycopg.Connection[Any]]:
        """An app-role connection bound to no tenant: under RLS it sees no tenant rows at all."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def create_tenant(self, tenant_id: str, name: str | None = None) -> bool:
        """Create a tenant if missing; returns True when it was created."""
        with self.admin() as conn:
            row = conn.execute(
                "INSERT INTO tenants (tenant_id, name) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                (tenant_id, name or tenant_id),
            ).fetchone()
        return row is not None


def app_url_for(admin_url: str, password: str | None) -> str:
    """The admin URL with the login switched to the application role."""
    params = conninfo_to_dict(admin_url)
    params["user"] = APP_ROLE
    params.pop("password", None)
    if password:
        params["password"] = password
    return make_conninfo("", **params)
