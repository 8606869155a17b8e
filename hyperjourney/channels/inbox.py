"""A local SMTP server on loopback that keeps what it accepts: what `hyperjourney demo` shows arriving and what
the scale benchmark checks against the database. It can refuse a share of messages with a transient 451, as a
busy receiver does, so the dispatcher's retries are exercised."""

from __future__ import annotations

import email
import email.policy
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One accepted message: who it was for, its idempotency key and when it arrived (``time.time()``)."""

    to: str
    key: str
    subject: str
    body: str
    at: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalInbox:
    """Start with ``with LocalInbox() as inbox:``; ``refuse_share`` of messages get ``451`` (seeded, so a run
    repeats), the rest are kept in ``received`` in arrival order."""

    refuse_share: float = 0.0
    seed: int = 0
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)
    _rng: random.Random = field(init=False)
    _controller: Controller | None = None

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        self._rng = random.Random(self.seed)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self._rng.random() < self.refuse_share:
                self.refused += 1
                return "451 try again later"
            msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            body = msg.get_body(("plain",))
            self.received.append(
                Received(
                    to=",".join(envelope.rcpt_tos),
                    key=str(msg.get("X-Idempotency-Key", "")),
                    subject=str(msg.get("Subject", "")),
                    body=body.get_content() if body is not None else "",
                    at=time.time(),
                )
            )
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, to: str, timeout_s: float) -> Received | None:
        """The first message accepted for ``to``, waiting up to ``timeout_s``; None if none came."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while True:
                found = next((m for m in self.received if m.to == to), None)
                left = deadline - time.monotonic()
                if found is not None or left <= 0:
                    return found
                self._arrived.wait(left)

    def __enter__(self) -> LocalInbox:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
