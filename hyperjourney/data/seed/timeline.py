"""When things happen: weekly and yearly seasonality per business, local hours of day, customer lifespans.

Times are float epoch seconds while generating (cheap to compare and shift); rows get aware UTC
datetimes at the end.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from itertools import accumulate

DAY = 86_400.0
HOUR = 3_600.0
HISTORY_DAYS = 540  # events cover the last ~18 months; some profiles are older than that

Pattern = str  # "b2b" | "plg" | "shop"

# Weekday factors Monday..Sunday: B2B buyers rest at weekends, shoppers browse more.
_WEEKDAY = {
    "b2b": (1.0, 1.0, 1.0, 0.95, 0.8, 0.12, 0.1),
    "plg": (1.0, 1.0, 1.0, 1.0, 0.9, 0.35, 0.3),
    "shop": (0.9, 0.85, 0.9, 0.95, 1.05, 1.25, 1.2),
}
# Month factors January..December: holiday retail peak, summer and year-end lulls in B2B.
_MONTH = {
    "b2b": (1.15, 1.05, 1.05, 1.0, 1.0, 0.95, 0.85, 0.75, 1.05, 1.1, 1.05, 0.7),
    "plg": (1.05, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 0.85, 1.05, 1.05, 1.0, 0.8),
    "shop": (0.75, 0.75, 0.95, 1.05, 1.05, 1.0, 0.95, 0.95, 1.0, 1.05, 1.6, 1.75),
}
# Local hour-of-day weights 0..23.
_HOURS = {
    "b2b": (1, 1, 1, 1, 1, 2, 6, 20, 60, 90, 100, 95, 65, 85, 95, 90, 75, 45, 20, 12, 10, 8, 4, 2),
    "plg": (3, 2, 1, 1, 1, 3, 8, 25, 60, 85, 95, 90, 70, 85, 90, 85, 70, 50, 35, 30, 28, 22, 12, 6),
    "shop": (8, 4, 2, 1, 1, 2, 6, 15, 25, 35, 45, 55, 70, 60, 50, 50, 55, 65, 80, 95, 100, 85, 50, 20),
}


def _black_friday(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


class Clock:
    """Samples event times inside a window, weighted by a business's day and hour patterns."""

    def __init__(self, rng: random.Random, anchor: datetime, history_days: int = 1200) -> None:
        self.rng = rng
        self.anchor = anchor.timestamp()
        self._day0 = int(self.anchor // DAY) - history_days
        self._factors: dict[Pattern, list[float]] = {}
        self._hours = {p: list(accumulate(w)) for p, w in _HOURS.items()}
        for pattern in _WEEKDAY:
            factors = []
            for index in range(history_days + 2):
                d = date.fromordinal(date(1970, 1, 1).toordinal() + self._day0 + index)
                f = _WEEKDAY[pattern][d.weekday()] * _MONTH[pattern][d.month - 1]
                if pattern == "shop":
                    bf = _black_friday(d.year)
                    if bf <= d <= bf + timedelta(days=4):
                        f *= 2.2
                    elif d.month == 12 and d.day >= 24:
                        f *= 0.55
                factors.append(f)
            self._factors[pattern] = factors
        self._max = {p: max(f) for p, f in self._factors.items()}

    def sample(self, pattern: Pattern, offset_h: float, lo: float, hi: float, decay: float = 1.0) -> float:
        """A time in [lo, hi): the day by seasonality, the hour by the local daily rhythm.

        ``decay`` > 1 crowds times toward ``lo`` so activity fades out toward ``hi``.
        """
        rng = self.rng
        if hi - lo < 2 * HOUR:
            return lo + (hi - lo) * rng.random()
        offset = offset_h * HOUR
        factors, top = self._factors[pattern], self._max[pattern]
        last = len(factors) - 1
        for _ in range(16):
            x = lo + (hi - lo) * rng.random() ** decay
            day = int((x + offset) // DAY)
            if rng.random() * top > factors[min(max(day - self._day0, 0), last)]:
                continue
            hour = rng.choices(range(24), cum_weights=self._hours[pattern])[0]
            t = day * DAY + hour * HOUR + rng.random() * HOUR - offset
            if lo <= t < hi:
                return t
        return lo + (hi - lo) * rng.random() ** decay

    def black_friday(self, ts: float) -> bool:
        """Inside the Black Friday to Cyber Monday sale (UTC dates are close enough for prices)."""
        d = date.fromordinal(date(1970, 1, 1).toordinal() + int(ts // DAY))
        return _black_friday(d.year) <= d <= _black_friday(d.year) + timedelta(days=4)

    def after(self, t: float, lo_days: float, hi_days: float, limit: float | None = None) -> float | None:
        """A moment a few days after ``t``, or None when it would fall past ``limit`` (default: the anchor)."""
        out = t + self.rng.uniform(lo_days, hi_days) * DAY
        return out if out < (self.anchor if limit is None else limit) else None


def lifespan(rng: random.Random, since: float, anchor: float, churn: float, risk: float) -> tuple[float, float, str]:
    """(end of activity, decay power, state): churners fade then stop, at-risk customers are fading now.

    ``since`` is when observable activity can start: the later of signup and the start of history.
    """
    age = anchor - since
    r = rng.random()
    if r < churn and age > 90 * DAY:
        end = min(since + age * rng.uniform(0.2, 0.8), anchor - 60 * DAY)
        if end > since + 7 * DAY:
            return end, 2.5, "churned"
    if r < churn + risk and age > 45 * DAY:
        return anchor - rng.uniform(6, 30) * DAY, 2.0, "at_risk"
    return anchor - rng.uniform(0, 2) * HOUR, 1.0, "steady"


def created_in(clock: Clock, pattern: Pattern, offset_h: float, days: float, recent_bias: float) -> float:
    """A profile's creation time within the last ``days``; ``recent_bias`` > 1 favours recent signups."""
    return clock.sample(pattern, offset_h, clock.anchor - days * DAY, clock.anchor - DAY, decay=1 / recent_bias)
