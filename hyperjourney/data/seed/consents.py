"""Consent histories: grants at signup, later withdrawals (the latest row wins), channel windows.

Marketing events are only generated inside a channel's granted window, so the event stream and
the consent ledger never contradict each other. Minors never get marketing consent.
"""

from __future__ import annotations

from collections.abc import Callable

from hyperjourney.data.ingest.rows import ConsentRow
from hyperjourney.data.seed.timeline import DAY, HOUR
from hyperjourney.data.seed.world import Profile, Window, World, to_datetime

_NO_RECORDS = {"b2b": 0.15, "plg": 0.03, "shop": 0.08}
Record = Callable[[str, str, str, str, float], None]  # (channel, purpose, status, source, time)
_EMAIL_SOURCES = {
    "b2b": ("content_download", "webinar_registration", "signup_form"),
    "plg": ("signup_form",),
    "shop": ("signup_form", "signup_form", "checkout"),
}


def build(world: World) -> list[ConsentRow]:
    rows: list[ConsentRow] = []
    for profile in world.profiles:
        rows.extend(_history(world, profile))
    return rows


def _history(world: World, p: Profile) -> list[ConsentRow]:
    rng = world.rng
    rows: list[ConsentRow] = []

    def record(channel: str, purpose: str, status: str, source: str, t: float) -> None:
        rows.append(
            ConsentRow(
                customer_id=p.customer_id,
                channel=channel,
                purpose=purpose,
                status=status,
                source=source,
                captured_at=to_datetime(t),
            )
        )

    if p.first_order is not None:
        record("email", "transactional", "granted", "checkout", p.first_order - 5)
    if p.pattern == "plg":
        record("email", "transactional", "granted", "terms_of_service", p.created + 1)
    no_records = _NO_RECORDS[p.pattern] * (3 if p.duplicate_of else 1)
    if p.minor or rng.random() < no_records:
        return rows

    t0 = p.created + rng.uniform(1, 120)
    if rng.random() < (0.75 if p.pattern == "b2b" else 0.88):
        if p.person.region == "eu":
            source, t0 = "double_opt_in", t0 + rng.uniform(5 * 60, 36 * HOUR)  # the confirmation click
        else:
            source = rng.choice(_EMAIL_SOURCES[p.pattern])
        p.email_windows = _window(
            world, p, record, "email", source, t0, ("unsubscribe_link", "preference_center"), 0.14
        )
    if p.pattern == "plg" and rng.random() < 0.85:
        record("email", "product_updates", "granted", "signup_form", p.created + 2)
    if p.person.phone and rng.random() < (0.35 if p.pattern == "shop" else 0.1):
        start = (p.first_order or p.created) + rng.uniform(1, 60)
        source = rng.choice(("checkout_sms_optin", "sms_keyword"))
        p.sms_windows = _window(world, p, record, "sms", source, start, ("sms_stop",), 0.2)
    if p.app_user and rng.random() < 0.7:
        start = p.created + rng.uniform(0.1, 5) * DAY
        p.push_windows = _window(world, p, record, "push", "app_prompt", start, ("os_settings",), 0.15)
    if p.pattern == "b2b" and p.person.phone and rng.random() < 0.2:
        record("phone", "marketing", "granted", "sales_call", world.when(p))
    if p.person.region in ("eu", "uk") and p.person.cookie_id and rng.random() < 0.8:
        accepted = rng.random() < 0.65
        record("web", "profiling", "granted" if accepted else "withdrawn", "cookie_banner", p.created + 0.5)
    return rows


def _window(
    world: World,
    p: Profile,
    record: Record,
    channel: str,
    source: str,
    start: float,
    withdraw_sources: tuple[str, ...],
    p_withdraw: float,
) -> list[Window]:
    """Grant, maybe withdraw (and rarely re-grant); the spans when marketing on this channel was allowed."""
    rng, anchor = world.rng, world.anchor
    if start >= anchor:
        return []
    record(channel, "marketing", "granted", source, start)
    if rng.random() > p_withdraw or start + 3 * DAY >= anchor:
        return [(start, anchor)]
    withdrawn = rng.uniform(start + 3 * DAY, anchor - HOUR)
    record(channel, "marketing", "withdrawn", rng.choice(withdraw_sources), withdrawn)
    if channel == "email":
        world.emit(p, "unsubscribe", withdrawn - 2, "email", list="marketing")
    windows = [(start, withdrawn)]
    regrant = world.clock.after(withdrawn, 10, 200)
    if regrant is not None and rng.random() < 0.15:
        record(channel, "marketing", "granted", "preference_center", regrant)
        windows.append((regrant, anchor))
    return windows
