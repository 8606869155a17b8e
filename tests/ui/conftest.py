"""Chainlit writes its app root (config, .files) where it is imported: point it at the test home, not the repo."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="hj-chainlit-"))
