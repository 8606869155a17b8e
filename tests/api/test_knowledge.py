"""Knowledge search over HTTP: cited hits from the key's own tenant only, bad filters named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hyperjourney.db.database import Database
from tests.conftest import new_tenant

KeyFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="module")
def kb_tenant(db: Database) -> str:
    import hyperjourney.knowledge
    from hyperjourney.knowledge.ingest import ingest_path

    tenant = new_tenant(db, "kb")
    ingest_path(db, tenant, Path(hyperjourney.knowledge.__file__).parent / "kb" / "demo")
    return tenant


def test_search_returns_cited_hits_of_the_keys_tenant(
    client: TestClient, db: Database, kb_tenant: str, auth_for: KeyFactory
) -> None:
    hits = client.get(
        "/v1/knowledge/search",
        params={"q": "cancel subscription", "k": 3, "mode": "keyword"},
        headers=auth_for(kb_tenant),
    ).json()
    assert 0 < len(hits) <= 3
    assert all("#" in h["citation_id"] and h["text"] for h in hits)
    faq = client.get(
        "/v1/knowledge/search",
        params={"q": "refund", "doc_type": "faq", "mode": "keyword"},
        headers=auth_for(kb_tenant, "viewer"),
    ).json()
    assert faq and {h["doc_type"] for h in faq} == {"faq"}
    other = auth_for(new_tenant(db, "empty"))
    assert client.get("/v1/knowledge/search", params={"q": "refund", "mode": "keyword"}, headers=other).json() == []


def test_bad_search_parameters_are_named(client: TestClient, kb_tenant: str, auth_for: KeyFactory) -> None:
    headers = auth_for(kb_tenant)
    for params, field in (
        ({"q": ""}, "q"),
        ({"q": "x", "k": 0}, "k"),
        ({"q": "x", "mode": "fuzzy"}, "mode"),
        ({"q": "refund", "region": "atlantis", "mode": "keyword"}, "region"),
        ({"q": "refund", "doc_type": "poem", "mode": "keyword"}, "doc_type"),
    ):
        response = client.get("/v1/knowledge/search", params=params, headers=headers)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
