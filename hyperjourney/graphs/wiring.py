"""Binds every port to a real facade when its part is installed, else to a named fallback; builds Deps.

`Deps.port_names` says which implementation each port uses, and every run summary repeats it, so a
fallback is never mistaken for the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.util import find_spec

from pydantic import BaseModel

from hyperjourney.agents.base import AgentContext
from hyperjourney.agents.ports import Launcher, ReviewPort
from hyperjourney.db.database import Database
from hyperjourney.graphs import adapters, fallbacks
from hyperjourney.graphs.recorder import Recorder
from hyperjourney.models import tiers as tiers_mod
from hyperjourney.models.accounting import Ledger
from hyperjourney.models.router import Router
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import Ports, Toolbox


@dataclass
class Deps:
    """Everything a graph needs: database, ports, model tiers, settings, clock and the step recorder."""

    db: Database
    settings: Settings
    ports: Ports
    review: ReviewPort
    launcher: Launcher
    tiers: Tiers
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    progress: Callable[[str], None] | None = None
    record: bool = True  # False only to benchmark the graph machinery alone: no step or audit rows

    @property
    def recorder(self) -> Recorder:
        return Recorder(self.db, self.ports.guardrails.redact, self.progress, enabled=self.record)

    @property
    def port_names(self) -> dict[str, str]:
        named = {
            "knowledge": self.ports.knowledge,
            "scoring": self.ports.scoring,
            "guardrails": self.ports.guardrails,
            "policy": self.ports.policy,
            "nba": self.ports.nba,
            "review": self.review,
            "launcher": self.launcher,
        }
        return {k: str(getattr(v, "name", type(v).__name__)) for k, v in named.items()}

    def ledger(self, feature: str, spent: Spent | None = None) -> Ledger:
        """A ledger for one node, starting from what the run has spent so far (graph state, so the budget holds
        across checkpoints and a resume in another process)."""
        budgets = self.settings.budgets
        budget = min(budgets.per_feature_usd.get(feature, budgets.max_cost_usd_per_run), budgets.max_cost_usd_per_run)
        spent = spent or Spent()
        return Ledger(feature, budget, budgets.max_tokens_per_run, spent_usd=spent.spent_usd, tokens=spent.tokens)

    def context(self, tenant: str, run_id: str, feature: str, spent: Spent | None = None) -> AgentContext:
        router = Router(self.tiers, self.ledger(feature, spent), self.settings.router)
        return AgentContext(Toolbox(self.db, tenant, self.ports), router, self.clock(), run_id)


class Spent(BaseModel):
    """What a run has spent on model calls so far: kept in its graph state."""

    spent_usd: float = 0.0
    tokens: int = 0

    @classmethod
    def of(cls, ledger: Ledger) -> Spent:
        return cls(spent_usd=ledger.spent_usd, tokens=ledger.tokens)


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def build_deps(
    db: Database,
    settings: Settings,
    *,
    tiers: Tiers | None = None,
    clock: Callable[[], datetime] | None = None,
    launcher: Launcher | None = None,
) -> Deps:
    """Real facades where their parts are installed; otherwise the fallbacks in graphs/fallbacks.py."""
    knowledge = adapters.KnowledgeFacade(db) if _installed("hyperjourney.knowledge.search") else None
    scoring = (
        adapters.ScoringFacade(db)
        if _installed("hyperjourney.scoring.service") and _installed("hyperjourney.scoring.segments")
        else None
    )
    guardrails = adapters.GuardrailsFacade(db) if _installed("hyperjourney.guardrails.assets") else None
    policy = adapters.PolicyFacade(db) if _installed("hyperjourney.policy.engine") else None
    review = adapters.ReviewQueueFacade(db) if _installed("hyperjourney.review.queue") else None
    launch = adapters.JourneyLauncher(db) if _installed("hyperjourney.journeys.launch") else None
    scoring_port = scoring or fallbacks.KeywordScoring(db)
    policy_port = policy or fallbacks.ConsentPolicy(db)
    nba = adapters.NbaFacade(db) if _installed("hyperjourney.nba.rank") else None
    ports = Ports(
        knowledge=knowledge or fallbacks.PackagedKbKeywordSearch(),
        scoring=scoring_port,
        guardrails=guardrails or fallbacks.CitationGuard(),
        policy=policy_port,
        nba=nba or fallbacks.ScoredRulesNba(scoring_port, policy_port),
    )
    return Deps(
        db=db,
        settings=settings,
        ports=ports,
        review=review or fallbacks.AuditedReviewRequests(db),
        launcher=launcher or launch or fallbacks.RecordOnlyLauncher(),
        tiers=tiers if tiers is not None else tiers_mod.from_settings(settings),
        clock=clock or (lambda: datetime.now(UTC)),
    )
