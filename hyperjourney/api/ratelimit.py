"""Token buckets per API key, and per client address for requests without a valid key: a burst is
allowed, the sustained rate is not exceeded.

The buckets live in Postgres (``api_rate_take``, migration 0021), so every API process sharing the database
spends the same ones: two instances behind a load balancer allow the configured rate, not twice it. A
bucket is named by its rate and burst as well as its key, so processes configured alike share it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from hyperjourney.db.database import Database


class RateLimiter:
    def __init__(
        self, db: Database, rate_per_second: float, burst: int, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.db = db
        self.rate = rate_per_second
        self.burst = burst
        self._clock = clock  # None: the database's clock, the one every instance shares

    def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until one is available."""
        at = self._clock() if self._clock is not None else None
        with self.db.unbound() as conn:
            row = conn.execute(
                "SELECT api_rate_take(%s, %s, %s, %s)", (f"{self.rate}/{self.burst}:{key}", self.rate, self.burst, at)
            ).fetchone()
        assert row is not None
        return float(row[0])


def retry_after_seconds(wait: float) -> int:
    """Whole seconds, rounded up and at least 1: retrying after this many seconds succeeds."""
    return max(1, math.ceil(wait))
