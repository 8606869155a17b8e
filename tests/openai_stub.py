"""A tiny OpenAI-compatible chat-completions server (stdlib only) for end-to-end tests over real HTTP.

It answers every request with the smallest JSON instance of the requested response_format JSON schema,
the way a constrained-decoding server (llama.cpp's llama-server with a JSON schema) guarantees shape but
not quality, unless an ``answer`` function given to ``openai_stub`` returns text for the prompt (the ragas
judge stub does). ``n`` choices are returned when asked. Requests are kept in ``requests`` for assertions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def instance(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value that satisfies ``schema`` (objects, arrays, enums, anyOf, refs, numbers with bounds)."""
    if "$ref" in schema:
        return instance(defs[schema["$ref"].split("/")[-1]], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") == "null"] or schema["anyOf"]
        return instance(options[0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: instance(v, defs) for k, v in props.items()}
    if kind == "array":
        return [instance(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 0))]
    if kind in ("number", "integer"):
        value = schema.get("maximum", schema.get("minimum", 1))
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "x" * max(1, schema.get("minLength", 1))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.requests.append({"path": self.path, "body": body})
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("schema", {"type": "object"})
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        answered = self.server.answer(prompt) if self.server.answer else None
        content = answered if answered is not None else json.dumps(instance(schema, schema.get("$defs", {})))
        choices = [
            {"index": i, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            for i in range(int(body.get("n") or 1))
        ]
        reply = {
            "id": f"chatcmpl-{len(self.server.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "stub"),
            "choices": choices,
            "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49},
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


Answer = Callable[[str], str | None]


class _Server(ThreadingHTTPServer):
    requests: list[dict[str, Any]]
    answer: Answer | None


@contextmanager
def openai_stub(answer: Answer | None = None) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.requests = []
    server.answer = answer
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
