"""Installation-wide secrets kept in Postgres (migration 0022), for processes without a writable home.

Instances of a stateless deployment (read-only filesystem, several API or UI processes) must agree on the
log redaction key and the UI's session signing secret; a file per machine, or a random key per process when
no file can be written, would not. The first process to ask stores its random candidate; all read that one.
"""

from __future__ import annotations

import secrets

from hyperjourney.db import urls
from hyperjourney.settings import Settings


def installation_secret(settings: Settings, name: str) -> bytes:
    """The installation's 32-byte secret ``name``, created by the first process that asks."""
    import psycopg  # imported here: the modules that may call this are imported by every CLI command

    with psycopg.connect(urls.app_url(settings, urls.admin_url(settings))) as conn:
        row = conn.execute("SELECT installation_secret(%s, %s)", (name, secrets.token_bytes(32))).fetchone()
    assert row is not None
    return bytes(row[0])
