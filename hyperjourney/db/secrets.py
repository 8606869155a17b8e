"""Installation-wide secrets kept in Postgres (migration 0022), for processes without a writable home.

Instances of a stateless deployment (read-only filesystem, several API or UI processes) must agree on the
log redaction key and the UI's session signing secret; a file per machine, or a random key per process when
no file can be written, would not. The first process to ask stores its random candidate; all read that one.
"""

from __future__ import annotations

import secrets

import psycopg

from hyperjourney.db.database import Database
from hyperjourney.settings import Settings


def installation_secret(settings: Settings, name: str) -> bytes:
    """The installation's 32-byte secret ``name``, created by the first process that asks."""
    url = Database.from_settings(settings).app_url
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT installation_secret(%s, %s)", (name, secrets.token_bytes(32))).fetchone()
    assert row is not None
    return bytes(row[0])
