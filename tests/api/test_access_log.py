"""The access log of a real uvicorn server, through the installed redaction: one readable line per request."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from hyperjourney.api.app import create_app
from hyperjourney.db.database import Database
from hyperjourney.guardrails.redaction import install_log_redaction
from hyperjourney.settings import Settings
from tests.api.live import serving


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """uvicorn's own access formatter on its access logger, with every record redacted at creation."""
    before = logging.getLogRecordFactory()
    logger = logging.getLogger("uvicorn.access")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    install_log_redaction()
    try:
        yield out
    finally:
        logging.setLogRecordFactory(before)
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def server_url(db: Database, settings: Settings) -> Iterator[str]:
    with serving(create_app(db, settings), access_log=True) as url:
        yield url


def test_access_lines_are_written_with_keys_and_emails_masked(access_log: io.StringIO, server_url: str) -> None:
    secret = "Zx9_secretPART-abcdefghijklmnop"
    with httpx.Client(base_url=server_url) as client:
        assert client.get("/health", params={"api_key": f"hj_0a1b2c3d4e5f_{secret}"}).status_code == 200
        assert client.get("/health", params={"who": "ana.ruiz@example.com"}).status_code == 200
    lines = access_log.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("127.0.0.1:") and '"GET /health?api_key=hj_0a1b2c3d4e5f_*** HTTP/1.1" 200 OK' in lines[0]
    assert secret not in access_log.getvalue()
    assert "ana.ruiz" not in lines[1] and "[EMAIL_" in lines[1] and lines[1].endswith(" 200 OK")
