"""Shared state of one generation run: profiles under construction, raw events, id counters."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hyperjourney.data.ingest.rows import CustomerRow, OrderLineRow
from hyperjourney.data.seed.catalog import Catalog, build_catalog
from hyperjourney.data.seed.people import People, Person
from hyperjourney.data.seed.timeline import DAY, HISTORY_DAYS, Clock, Pattern, lifespan

# (ts, customer_id, type, channel, properties): tuples keep 250k events cheap until they become rows.
RawEvent = tuple[float, str, str, str | None, dict[str, Any]]
Window = tuple[float, float]


@dataclass
class Order:
    """What a support ticket may cite about an order."""

    order_id: str
    ordered: float
    delivered: float | None
    status: str
    items: list[tuple[str, int, Decimal]]  # (product name, quantity, unit price)

    @property
    def total(self) -> Decimal:
        return sum((price * qty for _, qty, price in self.items), Decimal("0"))


@dataclass
class Profile:
    """A customer while their story is written; becomes a CustomerRow at the end."""

    customer_id: str
    pattern: Pattern
    person: Person
    created: float
    end: float  # last moment of activity
    decay: float  # > 1: activity fades toward `end`
    state: str  # steady | at_risk | churned
    weight: float  # share of the free-running (filler) events
    stage: str = "lead"
    account_id: str | None = None
    company: str | None = None
    industry: str | None = None
    job_title: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    duplicate_of: str | None = None
    first_order: float | None = None
    orders: list[Order] = field(default_factory=list)
    email_windows: list[Window] = field(default_factory=list)
    sms_windows: list[Window] = field(default_factory=list)
    push_windows: list[Window] = field(default_factory=list)
    traits: dict[str, Any] = field(default_factory=dict)  # hidden drivers of behaviour, never exported

    @property
    def minor(self) -> bool:
        return self.person.age_band == "under_18"

    @property
    def app_user(self) -> bool:
        return self.person.device_id is not None

    def row(self) -> CustomerRow:
        p = self.person
        return CustomerRow(
            customer_id=self.customer_id,
            email=p.email,
            phone=p.phone,
            crm_id=p.crm_id,
            device_id=p.device_id,
            cookie_id=p.cookie_id,
            first_name=p.first_name,
            last_name=p.last_name,
            account_id=self.account_id,
            company=self.company,
            industry=self.industry,
            job_title=self.job_title,
            lifecycle_stage=self.stage,
            region=p.region,
            country=p.country,
            language=p.language,
            timezone=p.timezone,
            age_band=p.age_band,
            attributes=self.attributes,
            created_at=to_datetime(self.created),
        )


class World:
    """One run's randomness, clock, people and everything generated so far."""

    def __init__(self, seed: int, anchor: datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = Clock(self.rng, anchor)
        self.people = People(self.rng)
        self.anchor = self.clock.anchor
        self.start = self.anchor - HISTORY_DAYS * DAY  # no event is older than this
        self.catalog: Catalog = build_catalog(self.rng)
        self.profiles: list[Profile] = []
        self.events: list[RawEvent] = []
        self.order_lines: list[OrderLineRow] = []
        self._counters: dict[str, int] = {}

    def next_id(self, prefix: str, width: int) -> str:
        n = self._counters[prefix] = self._counters.get(prefix, 0) + 1
        return f"{prefix}_{n:0{width}d}"

    def life(self, created: float, churn: float, risk: float) -> tuple[float, float, str]:
        end, decay, state = lifespan(self.rng, max(created, self.start), self.anchor, churn, risk)
        if created < self.start:  # already mid-life when history starts: a gentler fade, no pile-up at the start
            decay = min(decay, 1.4)
        return end, decay, state

    def new_profile(self, pattern: Pattern, person: Person, created: float, life: tuple[float, float, str]) -> Profile:
        end, decay, state = life
        weight = self.rng.lognormvariate(0, 0.8)
        profile = Profile(self.next_id("cus", 6), pattern, person, created, end, decay, state, weight)
        self.profiles.append(profile)
        return profile

    def emit(self, profile: Profile, kind: str, ts: float, channel: str | None, **props: Any) -> bool:
        """Record an event; False (nothing recorded) before signup or the history start, or from "now" on."""
        if max(profile.created, self.start) <= ts < self.anchor:
            self.events.append((ts, profile.customer_id, kind, channel, props))
            return True
        return False

    def when(self, profile: Profile, lo: float | None = None, hi: float | None = None) -> float:
        """A time inside the profile's active life (optionally narrowed), by its business's rhythm."""
        lo = max(profile.created, self.start, lo or 0.0)
        hi = profile.end if hi is None else min(hi, profile.end)
        if hi <= lo:
            return lo
        return self.clock.sample(profile.pattern, profile.person.utc_offset, lo, hi, profile.decay)

    def reachable(self, profile: Profile, windows: list[Window]) -> float | None:
        """A time when the profile was both active and consented on a channel, or None if never."""
        spans = [(max(lo, profile.created, self.start), min(hi, profile.end)) for lo, hi in windows]
        spans = [(lo, hi) for lo, hi in spans if hi > lo]
        if not spans:
            return None
        lo, hi = self.rng.choices(spans, weights=[hi - lo for lo, hi in spans])[0]
        return self.clock.sample(profile.pattern, profile.person.utc_offset, lo, hi, profile.decay)

    def email_touch(self, profile: Profile, campaigns: tuple[str, ...]) -> int:
        """A marketing email opened (sometimes clicked) while consent held; returns events made."""
        t = self.reachable(profile, profile.email_windows)
        if t is None:
            return 0
        campaign = self.rng.choice(campaigns)
        made = int(self.emit(profile, "email_open", t, "email", campaign=campaign))
        if self.rng.random() < 0.22:
            made += self.emit(profile, "email_click", t + self.rng.uniform(20, 1800), "email", campaign=campaign)
        return made


def to_datetime(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)
