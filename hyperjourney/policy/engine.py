"""The policy engine: a pure, deterministic function of (context, action, policy, now).

No I/O, no clock, no randomness, so a decision can be replayed from the audit log and benchmarked
in-process. Every rule that fires is returned with its outcome; any deny wins, review flags an
allowed action for a human. Missing data never allows: an unknown product or time zone denies.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hyperjourney.policy.models import Contact, CustomerPolicyContext, Outcome, PolicyDecision, ProposedAction, RuleHit
from hyperjourney.policy.schema import Cap, Policy

_UTC = ZoneInfo("UTC")


@lru_cache(maxsize=512)
def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _hit(rule: str, outcome: Outcome, reason: str) -> RuleHit:
    return RuleHit(rule=rule, outcome=outcome, reason=reason)  # plain __init__ is faster than model_construct


def check_action(
    ctx: CustomerPolicyContext, action: ProposedAction, policy: Policy, *, now: datetime
) -> PolicyDecision:
    """Decide one action for one customer; the decision lists every rule that fired."""
    hits: list[RuleHit] = []
    if action.customer_id != ctx.customer_id:
        hits.append(_hit("recipient", "deny", "the action's recipient is not the customer this context describes"))
        return _decide(hits, policy)
    marketing = action.purpose == "marketing"
    zone = _zone(ctx.timezone)
    local = action.send_at.astimezone(zone or _UTC)

    _consent(ctx, action, policy, hits)
    _caps(ctx, action, policy, local, zone or _UTC, hits)
    _timing(action, policy, local, zone is not None, hits)
    if marketing:
        streak_max = policy.fatigue_max_unengaged.get(action.channel)
        streak = ctx.unengaged_streak.get(action.channel, 0)
        if streak_max is not None and streak >= streak_max:
            hits.append(_hit("fatigue", "deny", f"{streak} {action.channel} messages in a row without engagement"))
        _exclusions(ctx, action, policy, now, hits)
        _inventory(ctx, action, policy, hits)
    _budgets(ctx, action, policy, hits)
    _review(action, policy, hits)
    return _decide(hits, policy)


def _decide(hits: list[RuleHit], policy: Policy) -> PolicyDecision:
    allowed = not any(h.outcome == "deny" for h in hits)
    review = allowed and any(h.outcome == "review" for h in hits)
    # Every value is already typed (RuleHits built above), so skip re-validating the list: this is the hot path.
    decision = PolicyDecision.__new__(PolicyDecision)
    fields = {"allowed": allowed, "rules_fired": hits, "policy_version": policy.version, "needs_review": review}
    object.__setattr__(decision, "__dict__", fields)
    object.__setattr__(decision, "__pydantic_fields_set__", set(fields))
    object.__setattr__(decision, "__pydantic_extra__", None)
    object.__setattr__(decision, "__pydantic_private__", None)
    return decision


def _consent(ctx: CustomerPolicyContext, action: ProposedAction, policy: Policy, hits: list[RuleHit]) -> None:
    rules = policy.consent
    if action.purpose not in rules.required_for:
        hits.append(_hit("consent", "allow", f"{action.purpose} messages need no marketing consent"))
        return
    channel = rules.consent_channel.get(action.channel)
    state = ctx.consent(channel, "marketing") if channel else None
    if state is None or state.status != "granted":
        what = "withdrawn" if state is not None else "no record"
        hits.append(_hit("consent", "deny", f"no marketing consent on {action.channel} ({what})"))
        return
    hits.append(_hit("consent", "allow", f"{channel} marketing consent granted via {state.source}"))
    strict = ctx.region in rules.strict_regions and action.channel == "email" and bool(rules.strict_email_sources)
    if strict and state.source not in rules.strict_email_sources:
        reason = f"{ctx.region} email marketing needs double opt-in, got {state.source}"
        hits.append(_hit("regional_consent", "deny", reason))
    if action.personalized:
        if ctx.age_band in policy.exclusions.minor_age_bands:
            hits.append(_hit("profiling", "deny", "no profiling of minors"))
        elif ctx.region in rules.profiling_regions and not any(
            purpose == "profiling" and s.status == "granted" for (_, purpose), s in ctx.consents.items()
        ):
            hits.append(_hit("profiling", "deny", f"personalized marketing in {ctx.region} needs profiling consent"))


class _ContactIndex:
    """Counted contacts per channel ("*" = all): sorted epoch seconds and counts per local day."""

    __slots__ = ("days", "times")

    def __init__(self, contacts: list[Contact], purposes: list[str], zone: ZoneInfo) -> None:
        self.times: dict[str, list[float]] = {"*": []}
        self.days: dict[str, dict[int, int]] = {"*": {}}
        for c in contacts:
            if c.purpose not in purposes:
                continue
            ts, day = c.sent_at.timestamp(), c.sent_at.astimezone(zone).toordinal()
            for key in ("*", c.channel):
                self.times.setdefault(key, []).append(ts)
                per_day = self.days.setdefault(key, {})
                per_day[day] = per_day.get(day, 0) + 1
        for times in self.times.values():
            times.sort()


def _caps(
    ctx: CustomerPolicyContext,
    action: ProposedAction,
    policy: Policy,
    local: datetime,
    zone: ZoneInfo,
    hits: list[RuleHit],
) -> None:
    rules = policy.caps
    if action.purpose not in rules.counted_purposes:
        return
    index: _ContactIndex = ctx.cached(
        ("caps", zone.key, tuple(rules.counted_purposes)),
        lambda: _ContactIndex(ctx.contacts, list(rules.counted_purposes), zone),
    )
    at, day, window = action.send_at.timestamp(), local.toordinal(), rules.window_days * 86400.0
    channel_cap = rules.per_channel.get(action.channel)
    if channel_cap is not None:
        _check_cap(f"cap_{action.channel}", channel_cap, index, action.channel, at, day, local, window, hits)
    _check_cap("cap_all_channels", rules.all_channels, index, "*", at, day, local, window, hits)


def _check_cap(
    rule: str,
    cap: Cap,
    index: _ContactIndex,
    key: str,
    at: float,
    day: int,
    local: datetime,
    window: float,
    hits: list[RuleHit],
) -> None:
    if cap.day is not None:
        today = index.days.get(key, {}).get(day, 0)
        if today + 1 > cap.day:
            hits.append(
                _hit(rule, "deny", f"{today} already on {local:%Y-%m-%d} (local); the cap is {cap.day} per day")
            )
    if cap.week is not None:
        peak = busiest_window(index.times.get(key, []), at, window)
        if peak + 1 > cap.week:
            days = round(window / 86400)
            hits.append(_hit(rule, "deny", f"{peak} already in a {days}-day window around it; the cap is {cap.week}"))


def busiest_window(times: list[float], at: float, window: float) -> int:
    """Most contacts in any rolling window [w, w + window) that also contains `at` (`times` sorted).

    Checking only the window that ends at `at` is not enough when actions arrive out of order: a later
    send already scheduled could push the window after `at` over the cap. Any window can slide right
    until its first element sits on its left edge, so the candidates start at `at` or at a contact.
    """
    lo = bisect_right(times, at - window)
    hi = bisect_left(times, at + window)
    if lo == hi:
        return 0
    best = bisect_left(times, at + window, lo, hi) - bisect_left(times, at, lo, hi)
    for i in range(lo, hi):
        start = times[i]
        if start > at:
            break
        best = max(best, bisect_left(times, start + window, i, hi) - i)
    return best


def _timing(action: ProposedAction, policy: Policy, local: datetime, zone_known: bool, hits: list[RuleHit]) -> None:
    quiet = policy.quiet_hours
    h = local.hour
    if action.channel in quiet.channels and action.purpose in quiet.purposes:
        start, end = quiet.start_hour, quiet.end_hour
        inside = (h >= start or h < end) if start > end else (start <= h < end)
        if not zone_known:
            hits.append(_hit("quiet_hours", "deny", f"time zone unknown: no {action.channel} {action.purpose}"))
        elif inside:
            hits.append(_hit("quiet_hours", "deny", f"{local:%H:%M} local is inside quiet hours {start:02d}-{end:02d}"))
    window = policy.send_windows.get(action.channel)
    if window is not None and action.purpose in window.purposes and not window.start_hour <= h < window.end_hour:
        hits.append(
            _hit(
                "send_window",
                "deny",
                f"{local:%H:%M} local is outside the {action.channel} window "
                f"{window.start_hour:02d}-{window.end_hour:02d}",
            )
        )


def _exclusions(
    ctx: CustomerPolicyContext, action: ProposedAction, policy: Policy, now: datetime, hits: list[RuleHit]
) -> None:
    rules = policy.exclusions
    if not (ctx.flags or ctx.tickets or action.product_ids or action.upsell or ctx.age_band):
        return
    flagged = [f for f in ctx.flags if f in rules.suppress_flags]
    if flagged:
        hits.append(_hit("suppression", "deny", f"marketing suppressed: {', '.join(flagged)}"))
    if ctx.age_band in rules.no_marketing_age_bands:
        hits.append(_hit("minor", "deny", f"no marketing to age band {ctx.age_band}"))
    _age_gated(ctx, action.product_ids, policy, hits)
    cooldown = timedelta(hours=rules.severe_ticket_cooldown_hours)
    for t in ctx.tickets:
        active = t.status in ("open", "pending")
        if t.priority in rules.severe_ticket_priorities and (active or now - t.updated_at < cooldown):
            hits.append(_hit("severe_ticket", "deny", f"{t.priority} ticket {t.ticket_id} is {t.status}"))
        elif active and set(t.product_ids) & set(action.product_ids):
            hits.append(_hit("ticket_product", "deny", f"open ticket {t.ticket_id} is about a promoted product"))
    if action.upsell and ctx.failed_payments_60d >= rules.failed_payments_block_upsell:
        hits.append(_hit("payment_trouble", "deny", f"{ctx.failed_payments_60d} failed payments in 60 days: no upsell"))


def _age_gated(ctx: CustomerPolicyContext, product_ids: list[str], policy: Policy, hits: list[RuleHit]) -> None:
    rules = policy.exclusions
    gated = [p for p in product_ids if p in ctx.products and ctx.products[p].age_gated]
    if gated:
        if ctx.age_band in rules.minor_age_bands:
            hits.append(_hit("age_gated", "deny", f"age-gated {', '.join(gated)} to age band {ctx.age_band}"))
        elif ctx.age_band is None and rules.unknown_age_blocks_age_gated:
            hits.append(_hit("age_gated", "deny", f"age-gated {', '.join(gated)} to a customer of unknown age"))


def check_purchase(ctx: CustomerPolicyContext, product_ids: list[str], policy: Policy) -> PolicyDecision:
    """A customer's own purchase step (the assistant's add to cart): the minors / age-gated and inventory rules
    apply whatever the purpose, since no consent is needed for what the customer asked for."""
    hits: list[RuleHit] = []
    _age_gated(ctx, product_ids, policy, hits)
    _inventory_of(ctx, product_ids, policy, hits)
    return _decide(hits, policy)


def _inventory(ctx: CustomerPolicyContext, action: ProposedAction, policy: Policy, hits: list[RuleHit]) -> None:
    _inventory_of(ctx, action.product_ids, policy, hits)


def _inventory_of(ctx: CustomerPolicyContext, product_ids: list[str], policy: Policy, hits: list[RuleHit]) -> None:
    for pid in product_ids:
        product = ctx.products.get(pid)
        if product is None:
            hits.append(_hit("inventory", "deny", f"unknown product {pid}"))
        elif product.inventory < policy.inventory_min_stock:
            hits.append(_hit("inventory", "deny", f"{pid} has {product.inventory} in stock"))


def _budgets(ctx: CustomerPolicyContext, action: ProposedAction, policy: Policy, hits: list[RuleHit]) -> None:
    rules = policy.budgets
    if action.campaign_id is not None:
        ceiling = rules.per_campaign.get(action.campaign_id, rules.per_campaign_default)
        spent = ctx.campaign_spend.get(action.campaign_id, 0.0)
        if ceiling is not None and spent + action.cost > ceiling:
            hits.append(
                _hit(
                    "budget_campaign",
                    "deny",
                    f"{action.campaign_id}: {spent:.2f} spent + {action.cost:.2f} > {ceiling:.2f}",
                )
            )
    if rules.per_day is not None and ctx.day_spend + action.cost > rules.per_day:
        hits.append(
            _hit("budget_day", "deny", f"{ctx.day_spend:.2f} spent today + {action.cost:.2f} > {rules.per_day:.2f}")
        )


def _review(action: ProposedAction, policy: Policy, hits: list[RuleHit]) -> None:
    rules = policy.review
    if action.cohort_size > rules.max_cohort_without_review:
        hits.append(_hit("review_cohort", "review", f"cohort of {action.cohort_size:,} needs approval"))
    if action.confidence < rules.min_confidence:
        hits.append(_hit("review_confidence", "review", f"confidence {action.confidence:.2f} < {rules.min_confidence}"))
    if action.regulated_claim and rules.regulated_claims:
        hits.append(_hit("review_regulated_claim", "review", "copy makes a regulated claim"))
    if rules.cost_over is not None and action.cost > rules.cost_over:
        hits.append(_hit("review_cost", "review", f"cost {action.cost:.2f} > {rules.cost_over:.2f}"))
