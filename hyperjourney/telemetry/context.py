"""The ids a log line and a span carry without being passed around: request, tenant, run (context variables).

Context variables follow a request through ``await`` and into the threads LangGraph and anyio start with a
copied context, so what the API middleware or a run binds reaches every log line and span below it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("hyperjourney_request_id", default=None)
TENANT: ContextVar[str | None] = ContextVar("hyperjourney_tenant", default=None)
RUN_ID: ContextVar[str | None] = ContextVar("hyperjourney_run_id", default=None)
FLOW: ContextVar[str | None] = ContextVar("hyperjourney_flow", default=None)

_BY_NAME = {"request_id": REQUEST_ID, "tenant": TENANT, "run_id": RUN_ID, "flow": FLOW}


def current() -> dict[str, str]:
    """The ids bound now, by name (unbound ones left out)."""
    return {name: value for name, var in _BY_NAME.items() if (value := var.get()) is not None}


@contextmanager
def bound(**ids: str | None) -> Iterator[None]:
    """Bind ``request_id``, ``tenant``, ``run_id`` or ``flow`` for the block (None leaves one as it is)."""
    unknown = set(ids) - set(_BY_NAME)
    if unknown:
        raise ValueError(f"unknown context ids: {sorted(unknown)}")
    tokens = [(_BY_NAME[name], _BY_NAME[name].set(value)) for name, value in ids.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
