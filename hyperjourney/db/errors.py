"""The database's errors, importable without the driver (every CLI command catches them; few connect)."""

from __future__ import annotations


class DatabaseError(RuntimeError):
    """A database problem explained for a person (what failed, what to run)."""


class UnknownTenantError(DatabaseError):
    pass


class NestedConnectionError(DatabaseError):
    """A thread asked for a second pooled connection while holding one (a pool deadlock under load)."""
