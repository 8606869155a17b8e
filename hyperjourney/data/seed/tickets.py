"""Support tickets with ground-truth labels for intent, sentiment, escalation, injection and PII.

Tickets cite the customer's real orders, plans and amounts, so a copilot can ground replies in the
data; threads end in a state consistent with the ticket status.
"""

from __future__ import annotations

import random
import re
from typing import Any

from hyperjourney.data.ingest.rows import TicketMessageRow
from hyperjourney.data.seed import replies, text, text_i18n
from hyperjourney.data.seed.timeline import DAY, HOUR
from hyperjourney.data.seed.world import Order, Profile, World, to_datetime

INTENTS = {
    "billing_question": 10,
    "refund_request": 11,
    "cancel_subscription": 6,
    "technical_issue": 10,
    "shipping_delay": 12,
    "product_question": 9,
    "sizing_fit": 9,
    "account_access": 8,
    "complaint": 8,
    "praise": 6,
    "data_privacy": 5,
    "upgrade_inquiry": 6,
}
BUSINESSES: dict[str, dict[str, float]] = {
    "billing_question": {"shop": 3, "plg": 4, "b2b": 3},
    "refund_request": {"shop": 8, "plg": 1, "b2b": 1},
    "cancel_subscription": {"plg": 6, "b2b": 4},
    "technical_issue": {"plg": 5.5, "b2b": 4.5},
    "shipping_delay": {"shop": 1},
    "product_question": {"shop": 6, "plg": 2, "b2b": 2},
    "sizing_fit": {"shop": 1},
    "account_access": {"shop": 3, "plg": 4.5, "b2b": 2.5},
    "complaint": {"shop": 6, "plg": 2.5, "b2b": 1.5},
    "praise": {"shop": 5, "plg": 3, "b2b": 2},
    "data_privacy": {"shop": 3.5, "plg": 3, "b2b": 3.5},
    "upgrade_inquiry": {"plg": 6, "b2b": 4},
}
SENTIMENTS = ("very_negative", "negative", "neutral", "positive")
SENTIMENT_MIX = {
    "billing_question": (8, 30, 55, 7),
    "refund_request": (15, 45, 35, 5),
    "cancel_subscription": (10, 40, 45, 5),
    "technical_issue": (12, 48, 35, 5),
    "shipping_delay": (18, 47, 33, 2),
    "product_question": (1, 5, 69, 25),
    "sizing_fit": (3, 30, 55, 12),
    "account_access": (12, 43, 42, 3),
    "complaint": (45, 50, 5, 0),
    "praise": (0, 0, 10, 90),
    "data_privacy": (15, 30, 50, 5),
    "upgrade_inquiry": (0, 3, 60, 37),
}
_ORDER_INTENTS = {"billing_question", "refund_request", "shipping_delay", "sizing_fit", "complaint"}
_PAID_INTENTS = {"cancel_subscription", "refund_request", "billing_question"}
_I18N_SHOP_ONLY = {"product_question", "sizing_fit", "praise", "complaint"}
CHANNELS = {"email": 45, "chat": 25, "web": 15, "social": 6, "phone": 5, "sms": 4}
NON_ENGLISH = 0.05
_SIZES = ("7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "11.5", "12")
# Emails, card numbers, IBANs and phone numbers in customer-written text.
_PII = re.compile(
    r"[^@\s]+@[^@\s]+\.[a-z]{2,}|\b(?:\d[ -]?){15}\d\b|\b[A-Z]{2}\d{2}(?: ?[0-9A-Z]{4}){4}|\+?\d[\d ().-]{8,}\d"
)
_BANKS = ("First Harbor Bank", "Summit National Bank", "Cascade Savings", "Pioneer Trust")


def build(world: World, n: int) -> list[TicketMessageRow]:
    pools: dict[tuple[str, str], list[Profile]] = {}
    for profile in world.profiles:
        for intent, businesses in BUSINESSES.items():
            if profile.pattern in businesses and _eligible(intent, profile):
                pools.setdefault((intent, profile.pattern), []).append(profile)
    if not pools:
        raise ValueError("no customers to open tickets for")
    rows: list[TicketMessageRow] = []
    for i in range(1, n + 1):
        rows.extend(_ticket(world, pools, f"tkt_{i:05d}"))
    return rows


def _eligible(intent: str, p: Profile) -> bool:
    if p.pattern == "shop":
        return bool(p.orders) or intent not in _ORDER_INTENTS | {"praise"}
    if intent in _PAID_INTENTS:
        return p.attributes.get("plan") not in (None, "free")
    return p.stage != "lead" or intent in ("account_access", "data_privacy", "product_question", "upgrade_inquiry")


def _ticket(world: World, pools: dict[tuple[str, str], list[Profile]], ticket_id: str) -> list[TicketMessageRow]:
    rng = world.rng
    language = rng.choice(("es", "de", "fr")) if rng.random() < NON_ENGLISH else "en"
    while True:  # some pools are empty in tiny worlds: draw again
        intent = rng.choices(list(INTENTS), weights=list(INTENTS.values()))[0]
        businesses = BUSINESSES[intent]
        if language != "en" and intent in _I18N_SHOP_ONLY:
            businesses = {"shop": 1}
        business = rng.choices(list(businesses), weights=list(businesses.values()))[0]
        pool = pools.get((intent, business), [])
        if language != "en":
            pool = [p for p in pool if p.person.language == language] or pool
        if pool:
            break
    profile = rng.choice(pool)
    order = _order_for(rng, profile, intent)
    opened = _opened(world, profile, intent, order)
    sentiment = rng.choices(SENTIMENTS, weights=SENTIMENT_MIX[intent])[0]
    reasons = _escalation(rng, profile, intent, sentiment, order)
    if language != "en":  # only English text carries the cues; keep labels honest to the words
        reasons = [r for r in reasons if r == "high_value"]
    if reasons and sentiment in ("neutral", "positive") and set(reasons) & {"safety", "legal_threat", "chargeback"}:
        sentiment = "negative"
    elif reasons and sentiment == "positive":  # nobody is cheerful about a suspected breach
        sentiment = "neutral"
    ctx = _context(world, profile, order, opened)
    injection, pii = rng.random() < 0.03, rng.random() < 0.02
    status, plan = _thread_plan(rng, world.anchor - opened)
    priority = _priority(rng, sentiment, bool(reasons))
    channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
    request, answer = rng.choice(text.BODIES[intent, business])
    if language == "en":
        subject = rng.choice(text.SUBJECTS[intent]).format_map(ctx)
        if sentiment == "very_negative" and rng.random() < 0.3:
            subject = f"URGENT: {subject}"
    else:
        subject = rng.choice(text_i18n.TEXT[language]["subject"][intent]).format_map(ctx)

    turn = _turn(rng, status)
    messages: list[tuple[str, str, float]] = []
    t = opened
    for k, author in enumerate(plan):
        if k:
            t += _delay(rng, author, priority)
        if t >= world.anchor:
            break
        if k == 0:
            body = _first_message(rng, language, intent, request, sentiment, reasons, ctx, injection, pii, channel)
        elif author == "agent" and k == 1:
            body = _agent_reply(rng, language, intent, answer, sentiment, reasons, ctx)
        else:
            body = _later_turn(language, author, turn, status, ctx)
        messages.append((author, body, t))
    if len(messages) < len(plan):  # the thread was cut by "now": it is still in flight
        status = "open" if messages[-1][0] == "customer" else "pending"
    labels: dict[str, Any] = {
        "intent": intent,
        "sentiment": sentiment,
        "escalate": bool(reasons),
        "escalation_reasons": reasons,
        "injection": injection,
        # Read off the words, not the dice: an address typed into an unlock request counts too.
        "pii": any(_PII.search(body) for author, body, _ in messages if author == "customer"),
    }
    return [
        TicketMessageRow(
            ticket_id=ticket_id,
            message_id=f"{ticket_id}_m{k}",
            customer_id=profile.customer_id,
            channel=channel,
            subject=subject,
            status=status,
            priority=priority,
            language=language,
            labels=labels,
            author=author,
            body=body,
            sent_at=to_datetime(ts),
        )
        for k, (author, body, ts) in enumerate(messages, start=1)
    ]


def _order_for(rng: random.Random, profile: Profile, intent: str) -> Order | None:
    if not profile.orders:
        return None
    if intent == "shipping_delay":
        late = [o for o in profile.orders if o.status in ("placed", "shipped")]
        return rng.choice(late) if late and rng.random() < 0.7 else profile.orders[-1]
    if intent == "refund_request":
        returned = [o for o in profile.orders if o.status in ("returned", "partially_returned")]
        return rng.choice(returned) if returned and rng.random() < 0.6 else rng.choice(profile.orders)
    return rng.choice(profile.orders)


def _opened(world: World, profile: Profile, intent: str, order: Order | None) -> float:
    rng = world.rng
    if order and intent == "shipping_delay":
        t = order.ordered + rng.uniform(4, 14) * DAY
    elif order and intent in _ORDER_INTENTS | {"praise"}:
        t = (order.delivered or order.ordered + 4 * DAY) + rng.uniform(0.3, 20) * DAY
    else:
        t = world.anchor - rng.expovariate(1 / 90) * DAY
    lo = profile.created + 600
    if t >= world.anchor:
        t = world.anchor - rng.uniform(1, 48) * HOUR
    return t if t >= lo else min(lo + rng.uniform(0, 5) * DAY, world.anchor - 60)


def _escalation(rng: random.Random, p: Profile, intent: str, sentiment: str, order: Order | None) -> list[str]:
    reasons = []
    if sentiment == "very_negative" and rng.random() < 0.3:
        reasons.append("legal_threat")
    if (
        intent in ("billing_question", "refund_request")
        and sentiment in ("very_negative", "negative")
        and rng.random() < (0.35 if sentiment == "very_negative" else 0.06)
    ):
        reasons.append("chargeback")
    if p.pattern == "shop" and intent in ("complaint", "refund_request") and rng.random() < 0.07:
        reasons.append("safety")
    if intent == "data_privacy" and rng.random() < 0.3:
        reasons.append("data_breach")
    valuable = (order is not None and order.total > 250) or p.attributes.get("plan") in ("scale", "business")
    if sentiment == "very_negative" and valuable:
        reasons.append("high_value")
    return reasons


def _context(world: World, p: Profile, order: Order | None, opened: float) -> dict[str, Any]:
    rng, person = world.rng, p.person
    size = rng.choice(_SIZES)
    plan = str(p.attributes.get("plan") or ("growth" if p.pattern == "b2b" else "team"))
    seats = max(2, int(p.attributes.get("seats") or rng.randrange(3, 25)))
    product = rng.choice(world.catalog.products).attributes["model"]
    if p.pattern != "shop":
        product = f"Northwind {'Ledger' if p.pattern == 'b2b' else 'Boards'}"
    if order:
        product = order.items[0][0].split(" (")[0]
        amount = float(order.total)
    elif p.pattern == "b2b":
        amount = {"starter": 499.80, "growth": 2029.80, "scale": 6109.80}.get(plan, 2029.80)
    else:
        amount = seats * (15 if plan == "business" else 8)
    invoice = f"INV-{'LDG' if p.pattern == 'b2b' else 'BRD'}-{rng.randrange(10_000, 99_999)}"
    d = to_datetime(order.ordered if order else opened - 10 * DAY)
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone or "+1 (206) 555-0100",
        "order_id": order.order_id if order else "",
        "ref": order.order_id if order else invoice,
        "product": product,
        "item": product,
        "amount": f"${amount:,.2f}",
        "days": max(2, int((opened - (order.ordered if order else opened - 9 * DAY)) / DAY)),
        "date": f"{d:%B} {d.day}",
        "size": size,
        "other_size": _SIZES[min(_SIZES.index(size) + 1, len(_SIZES) - 1)],
        "fit_problem": rng.choice(text.FIT_PROBLEMS),
        "defect": rng.choice(text.DEFECTS),
        "plan": plan.title(),
        "seats": seats,
        "members": max(2, seats - rng.randrange(0, 3)),
        "team": p.company or "our team",
        "company": p.company or "our company",
        "invoice": invoice,
        "bank": rng.choice(_BANKS),
        "count": rng.randrange(40, 900),
        "automation": rng.choice(("Done means done", "Overdue nudge", "Weekly planning")),
        "task": rng.choice(("importing a CSV", "uploading a file", "saving a board", "connecting our bank")),
        "feature": rng.choice(("automations", "the bank feed", "notifications", "SSO", "checkout")),
        "agent": rng.choice(replies.AGENTS),
        "attacker": rng.choice(text.ATTACKERS),
    }


def _first_message(
    rng: random.Random,
    language: str,
    intent: str,
    request: str,
    sentiment: str,
    reasons: list[str],
    ctx: dict[str, Any],
    injection: bool,
    pii: bool,
    channel: str,
) -> str:
    if language != "en":
        lang = text_i18n.TEXT[language]
        greet, sign = lang["frame"]
        middle = [
            rng.choice(lang["opener"][sentiment]),
            rng.choice(lang["body"][intent]),
            rng.choice(lang["closer"][sentiment]),
        ]
    else:
        greet, sign = rng.choice(text.GREETINGS), rng.choice(text.SIGNOFFS)
        middle = [rng.choice(text.OPENERS[sentiment]) if rng.random() < _OPENER_P[sentiment] else "", request]
        for reason in reasons:
            cues = text.HIGH_VALUE if reason == "high_value" else text.ESCALATION_CUES[reason]
            middle.append(rng.choice(cues))
        middle.append(rng.choice(text.CLOSERS[sentiment]) if rng.random() < _CLOSER_P[sentiment] else "")
    if pii:
        middle.insert(-1, rng.choice(text.PII))
    if injection:
        middle.insert(rng.randrange(1, len(middle) + 1), rng.choice(text.INJECTIONS))
    core = " ".join(m for m in middle if m).format_map(ctx)
    if channel in ("chat", "sms", "social"):
        return core.lower() if rng.random() < 0.2 else core
    return "\n\n".join(part for part in (greet, core, sign.format_map(ctx)) if part)


_OPENER_P = {"very_negative": 0.85, "negative": 0.6, "neutral": 0.3, "positive": 0.6}
_CLOSER_P = {"very_negative": 0.8, "negative": 0.5, "neutral": 0.5, "positive": 0.7}


def _agent_reply(
    rng: random.Random, language: str, intent: str, answer: str, sentiment: str, reasons: list[str], ctx: dict[str, Any]
) -> str:
    if language != "en":
        lang = text_i18n.TEXT[language]
        return rng.choice(lang["reply"]).format_map({**ctx, "answer": rng.choice(lang["answer"][intent])})
    middle = f"{rng.choice(replies.EMPATHY[sentiment])} {answer}"
    if reasons:
        team, within = replies.ESCALATION_TEAMS[reasons[0]]
        middle += " " + rng.choice(replies.ESCALATED).format(team=team, within=within)
    return _sign(rng, middle.format_map(ctx), ctx)


def _sign(rng: random.Random, middle: str, ctx: dict[str, Any]) -> str:
    closing = rng.choice(replies.AGENT_CLOSINGS)
    return f"Hi {ctx['first_name']},\n\n{middle} {closing}".rstrip() + f"\n\n{ctx['agent']}, Northwind Support"


def _turn(rng: random.Random, status: str) -> tuple[str, str]:
    """The customer's follow-up and the agent's answer to it, matching where the ticket ended up."""
    kind = "neutral" if rng.random() < 0.3 else "resolved" if status in ("solved", "closed") else "unresolved"
    return rng.choice(replies.FOLLOW_UPS[kind])


def _later_turn(language: str, author: str, turn: tuple[str, str], status: str, ctx: dict[str, Any]) -> str:
    if language != "en":
        resolved = status in ("solved", "closed")
        options = text_i18n.FOLLOW_UP[language] if author == "customer" else text_i18n.TEXT[language]["final"]
        return str(options[0 if resolved else 1])
    if author == "customer":
        return turn[0].format_map(ctx)
    return f"Hi {ctx['first_name']},\n\n{turn[1]}\n\n{ctx['agent']}, Northwind Support"


def _thread_plan(rng: random.Random, age: float) -> tuple[str, list[str]]:
    """Status from the ticket's age, and the authors of its messages in order."""
    if age < DAY:
        status = rng.choices(("open", "pending"), weights=(6, 4))[0]
    elif age < 5 * DAY:
        status = rng.choices(("open", "pending", "solved"), weights=(15, 45, 40))[0]
    else:
        status = rng.choices(("pending", "solved", "closed"), weights=(5, 45 if age < 30 * DAY else 15, 50))[0]
    c, a = "customer", "agent"
    if status == "open":
        plan = [c] if rng.random() < 0.7 else [c, a, c]
    elif status == "pending":
        plan = [c, a] if rng.random() < 0.65 else [c, a, c, a]
    else:
        plan = rng.choices(([c, a], [c, a, c], [c, a, c, a]), weights=(40, 25, 35))[0]
    return status, plan


def _delay(rng: random.Random, author: str, priority: str) -> float:
    if author == "customer":
        return rng.uniform(0.5, 48) * HOUR
    low, high = {"urgent": (0.1, 2), "high": (0.5, 8), "normal": (1, 24), "low": (2, 48)}[priority]
    return rng.uniform(low, high) * HOUR


def _priority(rng: random.Random, sentiment: str, escalate: bool) -> str:
    if escalate:
        weights = (0, 0, 30, 70)
    else:
        weights = {
            "very_negative": (0, 20, 50, 30),
            "negative": (10, 55, 35, 0),
            "neutral": (25, 70, 5, 0),
            "positive": (70, 30, 0, 0),
        }[sentiment]
    return rng.choices(("low", "normal", "high", "urgent"), weights=weights)[0]
