"""The policy engine, rule by rule, plus hypothesis properties: no consent, no send; caps hold in any order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperjourney.policy.engine import check_action
from hyperjourney.policy.models import (
    CHANNELS,
    ConsentState,
    Contact,
    CustomerPolicyContext,
    OpenTicket,
    ProductInfo,
    ProposedAction,
)
from hyperjourney.policy.schema import Policy
from hyperjourney.policy.store import demo_policy

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 15:00 UTC
POLICY = demo_policy()


def consent(
    channel: str, status: str = "granted", source: str = "signup_form", purpose: str = "marketing"
) -> ConsentState:
    return ConsentState(
        channel=channel, purpose=purpose, status=status, source=source, captured_at=NOW - timedelta(days=30)
    )


def ctx(**kw: object) -> CustomerPolicyContext:
    base: dict[str, object] = {
        "customer_id": "c1",
        "region": "us",
        "timezone": "America/New_York",
        "age_band": "35_44",
        "consents": {(ch, "marketing"): consent(ch) for ch in ("email", "sms", "push", "in_app", "web")},
        "products": {
            "p1": ProductInfo(product_id="p1", inventory=10),
            "knife": ProductInfo(product_id="knife", inventory=5, age_gated=True),
            "gone": ProductInfo(product_id="gone", inventory=0),
        },
    }
    base.update(kw)
    return CustomerPolicyContext.model_validate(base)


def act(**kw: object) -> ProposedAction:
    base: dict[str, object] = {"customer_id": "c1", "channel": "email", "purpose": "marketing", "send_at": NOW}
    base.update(kw)
    return ProposedAction.model_validate(base)


def fired(decision: object) -> set[str]:
    return {h.rule for h in decision.rules_fired if h.outcome != "allow"}  # type: ignore[attr-defined]


def test_allowed_action_records_version_and_consent_rule() -> None:
    d = check_action(ctx(), act(), POLICY, now=NOW)
    assert d.allowed and not d.needs_review
    assert d.policy_version == POLICY.version
    assert [h.rule for h in d.rules_fired] == ["consent"]


def test_latest_consent_wins_and_missing_consent_denies() -> None:
    withdrawn = ctx(consents={("email", "marketing"): consent("email", "withdrawn")})
    assert fired(check_action(withdrawn, act(), POLICY, now=NOW)) == {"consent"}
    assert not check_action(ctx(consents={}), act(), POLICY, now=NOW).allowed
    transactional = check_action(ctx(consents={}), act(purpose="transactional"), POLICY, now=NOW)
    assert transactional.allowed


def test_frequency_caps_per_channel_and_across_channels() -> None:
    today = [Contact(channel="email", purpose="marketing", sent_at=NOW - timedelta(hours=2))]
    assert "cap_email" in fired(check_action(ctx(contacts=today), act(), POLICY, now=NOW))
    week = [Contact(channel="sms", purpose="marketing", sent_at=NOW - timedelta(days=d)) for d in (2, 4)]
    assert "cap_sms" in fired(check_action(ctx(contacts=week), act(channel="sms"), POLICY, now=NOW))
    mixed = [
        Contact(channel=ch, purpose="marketing", sent_at=NOW - timedelta(days=d))  # type: ignore[arg-type]
        for ch, d in (("email", 1), ("sms", 2), ("push", 3), ("email", 4), ("push", 5))
    ]
    d = check_action(ctx(contacts=mixed), act(channel="in_app"), POLICY, now=NOW)
    assert fired(d) == {"cap_all_channels"}
    transactional = [Contact(channel="email", purpose="transactional", sent_at=NOW - timedelta(hours=1))] * 5
    assert check_action(ctx(contacts=transactional), act(), POLICY, now=NOW).allowed


def test_quiet_hours_and_send_window_use_customer_time_zone() -> None:
    late_ny = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # 21:30 in New York
    assert "quiet_hours" in fired(check_action(ctx(), act(channel="sms", send_at=late_ny), POLICY, now=NOW))
    assert check_action(ctx(timezone="Asia/Tokyo"), act(channel="sms", send_at=late_ny), POLICY, now=NOW).allowed
    assert "quiet_hours" in fired(check_action(ctx(timezone=None), act(channel="push"), POLICY, now=NOW))
    assert "send_window" in fired(check_action(ctx(), act(send_at=late_ny), POLICY, now=NOW))
    otp = check_action(ctx(), act(channel="sms", purpose="transactional", send_at=late_ny), POLICY, now=NOW)
    assert otp.allowed


def test_strict_regions_need_double_opt_in_and_profiling_consent() -> None:
    eu = ctx(region="eu", timezone="Europe/Berlin")
    assert "regional_consent" in fired(check_action(eu, act(), POLICY, now=NOW))
    eu_doi = ctx(
        region="eu",
        timezone="Europe/Berlin",
        consents={("email", "marketing"): consent("email", source="double_opt_in")},
    )
    assert check_action(eu_doi, act(), POLICY, now=NOW).allowed
    assert "profiling" in fired(check_action(eu_doi, act(personalized=True), POLICY, now=NOW))
    with_profiling = eu_doi.model_copy(
        update={"consents": {**eu_doi.consents, ("web", "profiling"): consent("web", purpose="profiling")}}
    )
    assert check_action(with_profiling, act(personalized=True), POLICY, now=NOW).allowed


def test_exclusions() -> None:
    assert "age_gated" in fired(check_action(ctx(age_band="under_18"), act(product_ids=["knife"]), POLICY, now=NOW))
    assert "age_gated" in fired(check_action(ctx(age_band=None), act(product_ids=["knife"]), POLICY, now=NOW))
    assert check_action(ctx(), act(product_ids=["knife"]), POLICY, now=NOW).allowed
    assert "minor" in fired(check_action(ctx(age_band="under_16"), act(), POLICY, now=NOW))
    assert "suppression" in fired(check_action(ctx(flags=["bereavement"]), act(), POLICY, now=NOW))
    severe = OpenTicket(ticket_id="t1", priority="urgent", status="open", updated_at=NOW)
    assert "severe_ticket" in fired(check_action(ctx(tickets=[severe]), act(), POLICY, now=NOW))
    solved = severe.model_copy(update={"status": "solved", "updated_at": NOW - timedelta(hours=20)})
    assert "severe_ticket" in fired(check_action(ctx(tickets=[solved]), act(), POLICY, now=NOW))
    old = severe.model_copy(update={"status": "solved", "updated_at": NOW - timedelta(hours=50)})
    assert check_action(ctx(tickets=[old]), act(), POLICY, now=NOW).allowed
    about = OpenTicket(ticket_id="t2", priority="normal", status="open", updated_at=NOW, product_ids=["p1"])
    assert "ticket_product" in fired(check_action(ctx(tickets=[about]), act(product_ids=["p1"]), POLICY, now=NOW))
    assert "payment_trouble" in fired(check_action(ctx(failed_payments_60d=2), act(upsell=True), POLICY, now=NOW))
    assert "support" not in fired(check_action(ctx(tickets=[severe]), act(purpose="support"), POLICY, now=NOW))


def test_fatigue_inventory_budgets_and_review() -> None:
    assert "fatigue" in fired(check_action(ctx(unengaged_streak={"sms": 4}), act(channel="sms"), POLICY, now=NOW))
    assert "inventory" in fired(check_action(ctx(), act(product_ids=["gone"]), POLICY, now=NOW))
    assert "inventory" in fired(check_action(ctx(), act(product_ids=["never-heard-of"]), POLICY, now=NOW))
    over = ctx(campaign_spend={"spring": 4999.5})
    assert "budget_campaign" in fired(check_action(over, act(campaign_id="spring", cost=1.0), POLICY, now=NOW))
    assert "budget_day" in fired(check_action(ctx(day_spend=19_999.9), act(cost=0.5), POLICY, now=NOW))
    d = check_action(ctx(), act(cohort_size=12_000, regulated_claim=True, confidence=0.3), POLICY, now=NOW)
    assert d.allowed and d.needs_review
    assert fired(d) == {"review_cohort", "review_regulated_claim", "review_confidence"}


def test_recipient_mismatch_is_denied() -> None:
    d = check_action(ctx(), act(customer_id="someone-else"), POLICY, now=NOW)
    assert not d.allowed and fired(d) == {"recipient"}


def test_unknown_channel_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="channel"):
        act(channel="carrier_pigeon")


# --- properties -------------------------------------------------------------------------------------------

_channels = st.sampled_from(CHANNELS)
_statuses = st.sampled_from(["granted", "withdrawn", None])


@st.composite
def customers(draw: st.DrawFn) -> CustomerPolicyContext:
    consents = {}
    for ch in ("email", "sms", "push", "in_app", "web"):
        status = draw(_statuses)
        if status is not None:
            source = draw(st.sampled_from(["signup_form", "double_opt_in", "checkout"]))
            consents[(ch, "marketing")] = consent(ch, status, source)
    return ctx(
        region=draw(st.sampled_from(["us", "eu", "uk", "apac", None])),
        timezone=draw(st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo", "Europe/Berlin", None, "Not/AZone"])),
        age_band=draw(st.sampled_from(["under_16", "under_18", "25_34", None])),
        consents=consents,
    )


@st.composite
def actions(draw: st.DrawFn) -> ProposedAction:
    return act(
        channel=draw(_channels),
        purpose=draw(st.sampled_from(["marketing", "transactional", "support"])),
        send_at=NOW + timedelta(minutes=draw(st.integers(-5 * 24 * 60, 14 * 24 * 60))),
        product_ids=draw(st.lists(st.sampled_from(["p1", "knife", "gone"]), max_size=2)),
        personalized=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(customers(), actions())
def test_never_allowed_marketing_without_consent(c: CustomerPolicyContext, a: ProposedAction) -> None:
    d = check_action(c, a, POLICY, now=NOW)
    if d.allowed and a.purpose == "marketing":
        channel = POLICY.consent.consent_channel[a.channel]
        state = c.consent(channel, "marketing")
        assert state is not None and state.status == "granted"


def _max_in_any_window(times: list[datetime], window: timedelta) -> int:
    return max((sum(1 for t in times if s <= t < s + window) for s in times), default=0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_channels, st.integers(0, 20 * 24 * 60)), min_size=1, max_size=40))
def test_caps_never_exceeded_in_any_order(proposals: list[tuple[str, int]]) -> None:
    policy: Policy = POLICY.model_copy(
        update={"send_windows": {}, "quiet_hours": POLICY.quiet_hours.model_copy(update={"channels": []})}
    )
    customer = ctx(timezone="UTC")
    for channel, minute in proposals:
        a = act(channel=channel, send_at=NOW + timedelta(minutes=minute))
        if check_action(customer, a, policy, now=NOW).allowed:
            sent = Contact(channel=a.channel, purpose="marketing", sent_at=a.send_at)
            customer = customer.model_copy(update={"contacts": [*customer.contacts, sent]})
    week = timedelta(days=POLICY.caps.window_days)
    groups = {ch: [c.sent_at for c in customer.contacts if c.channel == ch] for ch in CHANNELS}
    for ch, times in [*groups.items(), ("all", [c.sent_at for c in customer.contacts])]:
        cap = POLICY.caps.all_channels if ch == "all" else POLICY.caps.per_channel.get(ch)  # type: ignore[call-overload]
        if cap is None:
            continue
        if cap.week is not None:
            assert _max_in_any_window(times, week) <= cap.week, ch
        if cap.day is not None:
            days = [t.date() for t in times]
            assert max((days.count(d) for d in days), default=0) <= cap.day, ch
