"""The README's API examples, run as written against a live server on loopback.

Each ``curl`` line of the block after ``<!-- api-examples -->`` is split as a shell would split it (after
putting in ``$HJ_KEY`` and ``$RUN``), its options read (``-s``, ``-N``, ``-X``, ``-H``, ``-d``, the URL; any
other option fails the test, so the README cannot drift into something this test does not run) and sent
with httpx, the same request curl would send.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import httpx
import pytest

from hyperjourney.api.app import create_app
from hyperjourney.api.keys import create_key
from hyperjourney.db.database import Database
from hyperjourney.settings import ApiSettings, Settings
from tests.api.live import serving
from tests.surfaces_data import seeded_tenant

pytest.importorskip("hyperjourney.graphs.runs")
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_curl_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- api-examples -->", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("curl ")]


def as_request(line: str, base: str, key: str, run: str | None) -> dict[str, Any]:
    """curl's argv as an httpx request (method, url, headers, content)."""
    if "$RUN" in line:
        assert run is not None, f"{line!r} needs $RUN before any run was started"
        line = line.replace("$RUN", run)
    argv = shlex.split(line.replace("$HJ_KEY", key))[1:]
    method, headers, data, url = None, {}, None, None
    while argv:
        arg = argv.pop(0)
        if arg in ("-s", "-N"):
            continue
        if arg == "-X":
            method = argv.pop(0)
        elif arg == "-H":
            name, _, value = argv.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            data = argv.pop(0)
        elif arg.startswith("-"):
            raise AssertionError(f"the README uses curl option {arg}; teach this test what it sends")
        else:
            assert url is None, line
            url = arg
    assert url is not None and url.startswith("localhost:8000/"), line
    method = method or ("POST" if data is not None else "GET")
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")  # what curl -d sends
    return {"method": method, "url": base + url.removeprefix("localhost:8000"), "headers": headers, "content": data}


def test_every_readme_api_example_works_when_pasted(db: Database, settings: Settings) -> None:
    tenant = seeded_tenant(db, "readme")
    key = create_key(db, tenant, "readme").token
    lines = readme_curl_lines()
    assert len(lines) >= 8 and any("/resume" in line for line in lines)
    app = create_app(db, settings.model_copy(update={"api": ApiSettings(stream_poll_seconds=0.05)}))
    run: str | None = None
    with serving(app) as base, httpx.Client(timeout=300) as client:
        for line in lines:
            request = as_request(line, base, key, run)
            with client.stream(**request) as response:
                body = response.read().decode()
            assert response.status_code < 300, (line, response.status_code, body)
            if request["method"] == "POST" and request["url"].endswith("/v1/runs"):
                assert response.status_code == 202
                run = response.json()["run_id"]
                assert response.headers["location"] == f"/v1/runs/{run}"
            if "/v1/runs/" in request["url"] and request["url"].endswith("/events"):
                assert "event: end" in body and '"status": "awaiting_approval"' in body
            if request["url"].endswith("/resume"):
                assert response.json()["status"] == "completed"
            if "/v1/runs?" in request["url"]:
                assert run in [r["run_id"] for r in response.json()["items"]]
