"""Swagger UI and ReDoc render offline: every asset their pages name is served by the app itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

REFERENCE = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_local_assets_that_are_served(client: TestClient, page: str) -> None:
    """They loaded Swagger and ReDoc from a CDN and fonts from Google: blank pages with the network off."""
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html.text, re.IGNORECASE), html.text
    references = {a or b for a, b in REFERENCE.findall(html.text)}
    assert "/openapi.json" in references and any(r.endswith(".js") for r in references)
    for ref in references:
        assert ref.startswith("/"), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 0
    assert client.get("/openapi.json").json()["info"]["title"] == "hyperjourney API"


def test_docs_assets_are_real_bundles(client: TestClient) -> None:
    js = client.get("/docs-assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.content) > 100_000
    assert "SwaggerUIBundle" in js.text
    redoc = client.get("/docs-assets/redoc.standalone.js")
    assert redoc.status_code == 200 and len(redoc.content) > 100_000
