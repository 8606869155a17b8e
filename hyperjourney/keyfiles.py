"""Owner-only key files under the home directory: the redaction and audit keys live outside the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def key_file(path: Path) -> bytes:
    """A 32-byte key kept in ``path`` (owner-only), created on first use and read back ever after."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex())
    return key
