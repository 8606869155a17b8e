"""Keeping the model tiers usable when a provider is not: transport retries, a circuit breaker per tier, and
latency estimates that let a reply with a deadline go to a smaller tier instead of missing it.

A 429, a 5xx, a timeout or a dropped connection is retried with exponential backoff (``Retry-After`` honoured,
capped) before the tier counts as unavailable for the decision; only then does the router fail over. Each tier
has one breaker per process: after ``breaker_failures`` transport failures in a row it opens and the tier is
skipped without a call for ``breaker_cooldown_s``, then one trial call decides (half-open). Everything that
happens is a ``TierEvent`` on the decision, recorded in the run's steps.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from hyperjourney.settings import RouterSettings
from hyperjourney.telemetry.metrics import CIRCUIT_OPEN, TIER_RETRIES

R = TypeVar("R")
EventKind = Literal["retry", "circuit_open", "unavailable", "over_budget", "failover", "degraded", "queued"]
TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_TRANSIENT_TYPES = ("Timeout", "TimeoutError", "APITimeoutError", "APIConnectionError", "ConnectError",
                    "ConnectionError", "RemoteProtocolError", "ReadError")  # fmt: skip


class TierEvent(BaseModel):
    """Something the resilience layer did on one decision: a retry, a skipped or failed tier, where work went."""

    kind: EventKind
    tier: str
    detail: str
    to: str | None = None  # failover / degraded / queued: the tier (or "review") that took the work


class TierUnavailable(Exception):
    """The tier cannot answer this decision (circuit open, transport failed after retries, or no time left)."""

    def __init__(self, kind: EventKind, tier: str, detail: str) -> None:
        super().__init__(detail)
        self.event = TierEvent(kind=kind, tier=tier, detail=detail)
        self.attempts: list[Any] = []  # the calls of this decision that did answer before the tier gave out


def transient(exc: BaseException) -> bool:
    """A failure worth retrying: rate limited, the server's fault, or the network's (never a 400 or a 401)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status in TRANSIENT_STATUS
    return isinstance(exc, TimeoutError | ConnectionError) or type(exc).__name__ in _TRANSIENT_TYPES


def retry_after_s(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


@dataclass
class Breaker:
    """One tier's circuit: closed (calls go through), open (skipped until the cooldown ends), then half-open."""

    tier: str
    failures_to_open: int
    cooldown_s: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    latency_s: float | None = None  # moving average of successful calls: how long the tier takes now
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allow(self) -> bool:
        with self._lock:
            return self.opened_at is None or self.clock() - self.opened_at >= self.cooldown_s

    def succeeded(self, seconds: float) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None
            self.latency_s = seconds if self.latency_s is None else 0.7 * self.latency_s + 0.3 * seconds
        CIRCUIT_OPEN.labels(tier=self.tier).set(0)

    def failed(self) -> bool:
        """Count a transport failure; True when this one opened (or re-opened) the circuit."""
        with self._lock:
            self.failures += 1
            half_open = self.opened_at is not None
            if half_open or self.failures >= self.failures_to_open:
                self.opened_at = self.clock()
                CIRCUIT_OPEN.labels(tier=self.tier).set(1)
                return True
            return False


class Breakers:
    """The process's breakers, one per tier and model (every run in the process shares what a tier is doing)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._by_key: dict[tuple[str, str], Breaker] = {}
        self._lock = threading.Lock()

    def of(self, tier: str, model: str, settings: RouterSettings) -> Breaker:
        with self._lock:
            key = (tier, model)
            if key not in self._by_key:
                self._by_key[key] = Breaker(tier, settings.breaker_failures, settings.breaker_cooldown_s, self.clock)
            return self._by_key[key]


BREAKERS = Breakers()


@dataclass
class Resilience:
    """Retries and breakers for one router's calls; ``deadline`` (monotonic seconds) is the reply's budget."""

    settings: RouterSettings
    breakers: Breakers = BREAKERS
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    deadline: float | None = None
    events: list[TierEvent] = field(default_factory=list)

    def remaining_s(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def fits(self, tier: str, model: str) -> bool:
        """Whether the tier's recent latency fits what is left of the budget (an unmeasured tier is given a try)."""
        left, took = self.remaining_s(), self.breakers.of(tier, model, self.settings).latency_s
        return left is None or (left > 0 and (took is None or took <= left))

    def call(self, tier: str, model: str, fn: Callable[[], R]) -> R:
        """``fn()`` with retries on transient failures; raises ``TierUnavailable`` when the tier cannot answer."""
        breaker = self.breakers.of(tier, model, self.settings)
        if not breaker.allow():
            raise TierUnavailable("circuit_open", tier, f"{tier}: circuit open after {breaker.failures} failures")
        for attempt in range(self.settings.retries + 1):
            started = self.clock()
            try:
                out = fn()
            except Exception as exc:
                if not transient(exc):
                    raise
                what = f"{type(exc).__name__}: {str(exc)[:200]}"
                if breaker.failed():
                    raise TierUnavailable("circuit_open", tier, f"{tier}: circuit opened ({what})") from exc
                delay = self._backoff(attempt, exc)
                left = self.remaining_s()
                if attempt == self.settings.retries:
                    raise TierUnavailable("unavailable", tier, f"{tier}: {what} after {attempt + 1} tries") from exc
                if left is not None and delay >= left:
                    raise TierUnavailable("over_budget", tier, f"{tier}: {what}; no time left to retry") from exc
                self.events.append(TierEvent(kind="retry", tier=tier, detail=f"{what}; retry in {delay:.2f} s"))
                TIER_RETRIES.labels(tier=tier).inc()
                self.sleep(delay)
                continue
            breaker.succeeded(self.clock() - started)
            return out
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int, exc: BaseException) -> float:
        s = self.settings
        told = retry_after_s(exc)
        base = told if told is not None else s.backoff_s * 2**attempt * (0.5 + random.random() / 2)
        return min(base, s.backoff_max_s)
