"""An OpenAI-compatible /embeddings endpoint replaces the offline model by configuration (local server here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hyperjourney.db.database import Database
from hyperjourney.knowledge.embedder import EmbeddingEndpointError, HttpEmbedder, LocalEmbedder, from_settings
from hyperjourney.knowledge.ingest import ingest_path
from hyperjourney.knowledge.search import search
from hyperjourney.settings import Settings
from tests.knowledge.conftest import HashEmbedder, write_doc


class _Server:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.dimensions = 384
        self.fail = False


@pytest.fixture
def endpoint() -> Iterator[tuple[str, _Server]]:
    state = _Server()
    fake = HashEmbedder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            if state.fail:
                self.send_response(500)
                self.end_headers()
                return
            vectors = fake.embed(body["input"])
            data = [
                {"object": "embedding", "index": i, "embedding": (v.tolist() * 2)[: state.dimensions]}
                for i, v in enumerate(vectors)
            ]
            payload = json.dumps({"object": "list", "data": list(reversed(data)), "model": body["model"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    server.shutdown()
    server.server_close()


def _settings(url: str) -> Settings:
    return Settings(embeddings={"base_url": url, "model": "tiny-embed", "api_key": "sk-test", "batch_size": 2})


def test_settings_choose_the_embedder(endpoint: tuple[str, _Server]) -> None:
    url, _ = endpoint
    assert isinstance(from_settings(Settings()), LocalEmbedder)
    remote = from_settings(_settings(url))
    assert isinstance(remote, HttpEmbedder) and remote.name == "http:tiny-embed"


def test_endpoint_feeds_ingest_and_search(
    db: Database, tenant: str, tmp_path: Path, endpoint: tuple[str, _Server]
) -> None:
    url, state = endpoint
    embedder = from_settings(_settings(url))
    vectors = embedder.embed(["one", "two", "three"])
    assert vectors.shape == (3, 384)
    assert state.requests[0]["path"] == "/v1/embeddings" and state.requests[0]["auth"] == "Bearer sk-test"
    assert state.requests[0]["body"] == {"model": "tiny-embed", "input": ["one", "two"], "dimensions": 384}
    assert abs(vectors[2] @ HashEmbedder().embed(["three"])[0] - 1) < 1e-5  # order follows `index`

    write_doc(tmp_path, "a.md", "doc-a", "# Gift cards\n\nGift cards never expire and can pay for any order.\n")
    report = ingest_path(db, tenant, tmp_path, embedder=embedder)
    assert report.added == 1 and report.embedded == report.chunks_written
    hits = search(db, tenant, "do gift cards expire", mode="vector", embedder=embedder)
    assert hits[0].document_id == "doc-a"


def test_endpoint_errors_are_clear(endpoint: tuple[str, _Server]) -> None:
    url, state = endpoint
    embedder = HttpEmbedder(_settings(url).embeddings)
    state.dimensions = 768
    with pytest.raises(EmbeddingEndpointError, match="768-d vectors"):
        embedder.embed(["x"])
    state.fail = True
    with pytest.raises(EmbeddingEndpointError, match="failed"):
        embedder.embed(["x"])
