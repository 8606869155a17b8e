"""Second profiles of the same person, planted for identity resolution to find.

Each duplicate shares exactly one strong identifier with its original, spelled differently where a
naive join would miss it: the email recased, the phone respelled, or the same CRM id under another
address. Some also share a browser cookie or app device.
"""

from __future__ import annotations

from dataclasses import replace

from hyperjourney.data.seed.people import recase_email, respell_phone
from hyperjourney.data.seed.shop import Shop
from hyperjourney.data.seed.timeline import DAY
from hyperjourney.data.seed.world import Profile, World

_SOURCES = {"shop": "guest_checkout", "b2b": "event_badge_scan", "plg": "second_signup"}


def plant(world: World, n: int, shop: Shop) -> None:
    candidates = [p for p in world.profiles if p.created < world.anchor - 30 * DAY]
    for original in world.rng.sample(candidates, min(n, len(candidates))):
        _duplicate(world, original, shop)


def _duplicate(world: World, original: Profile, shop: Shop) -> None:
    rng, people = world.rng, world.people
    o = original.person
    kinds = ["email", "email", *(["phone", "phone"] if o.phone else []), *(["crm"] * 3 if o.crm_id else [])]
    kind = rng.choice(kinds)
    person = replace(o, phone=None, crm_id=None, device_id=None, cookie_id=None)
    if kind == "email":
        person.email = recase_email(o.email, rng.randrange(3))
    elif kind == "phone" and o.phone:
        person.email = people.alias_email(o)
        styles = [s for s in range(6) if respell_phone(o.phone, o.country, s) != o.phone]
        person.phone = respell_phone(o.phone, o.country, rng.choice(styles))
    else:
        person.email = people.alias_email(o)
        person.crm_id = o.crm_id
    if rng.random() < 0.3 and (o.cookie_id or o.device_id):
        person.cookie_id, person.device_id = o.cookie_id, o.device_id
    elif rng.random() < 0.5:
        person.cookie_id = people.token("ck")
    if rng.random() < 0.15:
        person.first_name = person.first_name.lower()  # hand-typed at a kiosk or event badge

    # Same person, same life: the second profile appears later but fades and stops with the first.
    span = min(300.0, (original.end - original.created) / DAY * 0.8)
    created = original.created + rng.uniform(min(1.0, span / 2), max(span, 1.0)) * DAY
    life = (original.end, original.decay, original.state)
    dup = world.new_profile(original.pattern, person, min(created, original.end - DAY), life)
    dup.duplicate_of = original.customer_id
    dup.weight *= 0.3
    dup.account_id, dup.company, dup.industry, dup.job_title = (
        original.account_id,
        original.company,
        original.industry,
        original.job_title,
    )
    dup.attributes = {**original.attributes, "signup_source": _SOURCES[original.pattern]}
    dup.traits = dict(original.traits)
    if dup.pattern == "shop":
        world.emit(dup, "page_view", dup.created, "web", page="/", first_visit=True)
        if rng.random() < 0.5:
            shop.orders_for(dup, rng.choice((1, 1, 2)))
        return
    dup.stage = original.stage
    if dup.pattern == "plg":
        world.emit(dup, "signup", dup.created, "web", plan="free", source="organic")
    else:
        world.emit(dup, "page_view", dup.created, "web", page="/product/ledger")
