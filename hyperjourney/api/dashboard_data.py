"""The four role dashboards' figures, each gathered through the domain module that owns it, as typed models.

Growth: lift with intervals per journey (experiments.readout), revenue, LTV/CAC where spend is recorded
(policy.ledger). Brand: guardrail failures by rule and queue age (review.stats), tone by channel
(guardrails.tone_report). Sales: account briefs (scoring.accounts) with a talk track retrieved from the
knowledge base with citations (knowledge.search, the Researcher's retrieval). Data: calibration curves (scoring
registry), drift (monitoring.store), router mix, tokens and cost per successful action, latency per flow
(monitoring.usage). Everything is read inside the caller's tenant (RLS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hyperjourney.db.database import Database
from hyperjourney.experiments.readout import Readout, readout
from hyperjourney.guardrails.tone_report import ChannelTone, tone_by_channel
from hyperjourney.journeys import store
from hyperjourney.knowledge.search import search
from hyperjourney.monitoring.drift import DriftReport
from hyperjourney.monitoring.store import latest_drift
from hyperjourney.monitoring.usage import FlowUsage, RouterMix, flow_usage, router_mix
from hyperjourney.policy.ledger import campaign_spend
from hyperjourney.review.stats import QueueAge, RuleFailures, failures_by_rule, queue_age
from hyperjourney.scoring.accounts import AccountBrief, top_accounts
from hyperjourney.scoring.registry import list_versions

Dashboard = Literal["growth", "brand", "sales", "data"]
DASHBOARDS: tuple[Dashboard, ...] = ("growth", "brand", "sales", "data")


class JourneyGrowth(BaseModel):
    journey_id: str
    name: str
    status: str
    readout: Readout
    incremental_revenue: float = Field(description="(revenue per treated − per holdout customer) × treated")
    spend: float | None = Field(None, description="recorded send cost; None when no cost was recorded")
    ltv_to_cac: float | None = Field(None, description="incremental revenue ÷ spend, where spend is known")


class GrowthBoard(BaseModel):
    journeys: list[JourneyGrowth]


class BrandBoard(BaseModel):
    failures: list[RuleFailures]
    queue: list[QueueAge]
    tone: list[ChannelTone]


class Citation(BaseModel):
    citation_id: str
    title: str
    snippet: str


class SalesBrief(BaseModel):
    account: AccountBrief
    talk_track: list[Citation]


class SalesBoard(BaseModel):
    score: str
    briefs: list[SalesBrief]


class ModelCalibration(BaseModel):
    label: str
    ece: float | None
    curve: list[dict[str, float]]


class DataBoard(BaseModel):
    calibration: list[ModelCalibration]
    drift: DriftReport | None
    mix: RouterMix
    flows: list[FlowUsage]


def growth(db: Database, tenant: str) -> GrowthBoard:
    with db.tenant(tenant) as conn:
        journeys = store.listing(conn)
        spend = campaign_spend(conn)
    out = []
    for sj in journeys:
        found = readout(db, tenant, sj.definition.id)
        treated, holdout = found.revenue_per_customer
        incremental = round((treated - holdout) * found.enrolled, 2)
        cost = spend.get(sj.definition.id) or None
        out.append(JourneyGrowth(
            journey_id=sj.definition.id, name=sj.definition.name, status=sj.status, readout=found,
            incremental_revenue=incremental, spend=cost, ltv_to_cac=round(incremental / cost, 2) if cost else None,
        ))  # fmt: skip
    return GrowthBoard(journeys=out)


def brand(db: Database, tenant: str, now: datetime | None = None) -> BrandBoard:
    with db.tenant(tenant) as conn:
        return BrandBoard(failures=failures_by_rule(conn), queue=queue_age(conn, now), tone=tone_by_channel(conn))


def sales(db: Database, tenant: str, *, score: str = "purchase_propensity", limit: int = 5) -> SalesBoard:
    with db.tenant(tenant) as conn:
        accounts = top_accounts(conn, score=score, limit=limit)
    briefs = []
    for account in accounts:
        query = " ".join(filter(None, [account.industry, account.lifecycle_stage, *account.signals[:1]]))
        hits = search(db, tenant, query[:200], k=2)  # a signal's text can be long; the search caps a query
        track = [Citation(citation_id=h.citation_id, title=h.title, snippet=h.snippet) for h in hits]
        briefs.append(SalesBrief(account=account, talk_track=track))
    return SalesBoard(score=score, briefs=briefs)


def data(db: Database, tenant: str) -> DataBoard:
    with db.tenant(tenant) as conn:
        versions = [v for v in list_versions(conn) if v.active]
        drift = latest_drift(conn)
        mix, flows = router_mix(conn), flow_usage(conn)
    calibration = [
        ModelCalibration(label=v.label, ece=_number(v.metrics.get("ece")), curve=list(v.metrics.get("calibration", [])))
        for v in versions
        if "ece" in v.metrics
    ]
    return DataBoard(calibration=calibration, drift=drift, mix=mix, flows=flows)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
