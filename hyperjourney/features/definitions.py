"""The feature registry: every feature's meaning, version, lineage and freshness SLA.

Readers get stale flags from these SLAs; model artifacts record the versions they were trained on, so a
changed definition (new version) is visible in `hyperjourney models show`.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

FEATURE_SET = 3  # bump when the computation changes; stored on every feature row


class FeatureDef(BaseModel):
    name: str
    version: int
    description: str
    sources: tuple[str, ...]
    freshness_sla: timedelta


_EVENTS = ("events", "customers")
_ORDERS = ("orders", "order_lines", "products", "returns", "customers")
_TICKETS = ("tickets", "customers")
_ACCOUNT = ("events", "customers.account_id")
_PROFILE = ("customers",)

# (sources, SLA, {name: description}) per family: fast-moving engagement must be fresher than firmographics.
_FAMILIES: list[tuple[tuple[str, ...], timedelta, dict[str, str]]] = [
    (
        _EVENTS,
        timedelta(hours=1),
        {
            "recency_days": "days since the last order or action the customer chose to take (passive events excluded)",
            "events_total": "actions ever recorded",
            "events_7d": "actions in the last 7 days",
            "events_30d": "actions in the last 30 days",
            "events_90d": "actions in the last 90 days",
            "activity_trend": "actions in the last 30 days relative to the 30-day average of the 60 days before",
            "page_views_30d": "page views in 30 days",
            "product_views_30d": "product page views in 30 days",
            "searches_30d": "searches in 30 days",
            "carts_30d": "items added to cart in 30 days",
            "carts_abandoned_30d": "carts abandoned in 30 days",
            "checkouts_90d": "checkouts in 90 days",
            "pricing_views_7d": "pricing page visits in 7 days",
            "pricing_views_30d": "pricing page visits in 30 days",
            "whitepapers_90d": "whitepapers downloaded in 90 days",
            "webinars_90d": "webinars attended in 90 days",
            "sales_touches_90d": "demos requested or meetings booked in 90 days",
            "logins_7d": "product logins in 7 days",
            "logins_30d": "product logins in 30 days",
            "login_trend": "logins in the last 30 days relative to the 30-day average of the 60 days before",
            "product_actions_30d": "boards and automations created or used in 30 days",
            "team_growth_90d": "collaborators invited or seats added in 90 days",
            "milestones_90d": "usage milestones reached in 90 days",
            "conversions_total": "upgrades, seat purchases and signed contracts ever",
            "trials_30d": "trials started in 30 days",
            "downgrades_90d": "plan downgrades in 90 days",
            "unsubscribed": "1 if the customer ever unsubscribed from email",
        },
    ),
    (
        _EVENTS,
        timedelta(hours=1),
        {
            f"{ch}_{kind}_{d}": f"{ch} {label} in the last {d.removesuffix('d')} days"
            for ch in ("email", "sms", "push")
            for kind, label in (("touches", "messages and interactions"), ("responses", "opens and clicks"))
            for d in ("7d", "30d")
        }
        | {f"{ch}_fatigue": f"{ch} touches without a response in 30 days" for ch in ("email", "sms", "push")}
        | {"preferred_channel": "channel with the most responses in 180 days (email, sms, push, app or web)"},
    ),
    (
        _EVENTS,
        timedelta(days=7),
        {"active_hours": "histogram of local hours of day with activity in 180 days (send-time input)"},
    ),
    (
        _ORDERS,
        timedelta(hours=24),
        {
            "orders_total": "orders ever (cancelled excluded)",
            "orders_90d": "orders in 90 days",
            "orders_365d": "orders in 365 days",
            "monetary_total": "order value ever",
            "monetary_365d": "order value in 365 days",
            "avg_order_value": "average order value",
            "days_since_last_order": "days since the last order (missing if none)",
            "days_since_first_order": "days since the first order (missing if none)",
            "avg_discount": "average discount off list price on items bought",
            "discount_sensitivity": "share of items bought at 10% or more off list price",
            "return_rate": "share of items bought that were returned",
            "categories_bought": "distinct product categories bought",
            "categories": "product categories bought",
            "category_affinity": "share of interest per category in 365 days (orders weigh 3, views 1)",
            "category_interest": "weight behind the affinities: items ordered x3 plus product views, 365 days",
            "top_category": "the category with the highest affinity",
            "last_category": "category of the most recent order line (missing if none)",
            "recent_category": "category viewed most in 30 days (missing if none)",
            "last_order_categories": "product categories in the most recent order (next-category input)",
            "category_views_30d": "product views per category in 30 days",
            "rfm_r": "recency score 1-5 by fixed thresholds (30/90/180/365 days)",
            "rfm_f": "frequency score 1-5 by orders in 365 days (1/2/4/6)",
            "rfm_m": "monetary score 1-5 by value in 365 days (250/500/1000)",
            "rfm_segment": "RFM segment: champions, loyal, promising, new_customer, at_risk, hibernating, ...",
        },
    ),
    (
        _EVENTS + _ORDERS,
        timedelta(hours=24),
        {
            "lifecycle_stage": "stage derived from activity as of the computation time: new, engaged, trial, "
            "customer, at_risk, churned, dormant",
            "tenure_days": "days since the profile was created",
        },
    ),
    (
        _TICKETS,
        timedelta(hours=1),
        {
            "tickets_90d": "support tickets opened in 90 days",
            "open_tickets": "tickets open or pending",
            "support_sentiment_90d": "average ticket sentiment in 90 days (-2 very negative .. +1 positive)",
            "support_sentiment_trend": "sentiment in 90 days minus sentiment in the 275 days before",
        },
    ),
    (
        _ACCOUNT,
        timedelta(hours=6),
        {
            "account_contacts": "contacts at the customer's account",
            "account_pricing_views_30d": "pricing page visits by anyone at the account in 30 days",
            "account_whitepapers_90d": "whitepapers downloaded by anyone at the account in 90 days",
            "account_webinars_90d": "webinars attended by anyone at the account in 90 days",
            "account_sales_touches_90d": "demos or meetings booked by anyone at the account in 90 days",
            "account_active_contacts_30d": "contacts at the account active in 30 days",
        },
    ),
    (
        _PROFILE,
        timedelta(days=30),
        {
            "industry": "industry of the customer's company",
            "company_size": "company size band (smb, mid_market, enterprise)",
            "employees": "employees at the customer's company",
            "business": "line of business: b2b (Ledger), plg (Boards) or dtc (Goods)",
            "declared_interest": "interest the customer stated in their profile (attribute 'interest', e.g. running)",
            "region": "region",
            "language": "preferred language",
        },
    ),
]

DEFINITIONS: dict[str, FeatureDef] = {
    name: FeatureDef(name=name, version=FEATURE_SET, description=text, sources=sources, freshness_sla=sla)
    for sources, sla, names in _FAMILIES
    for name, text in names.items()
}


def feature_versions() -> dict[str, int]:
    return {name: d.version for name, d in DEFINITIONS.items()}
