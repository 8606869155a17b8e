"""Deps, the graphs' ``context_schema``: what every node needs besides its state (database, settings, model tiers,
clock, launcher, step recorder, the run's lease), handed to a run as LangGraph's ``Runtime`` context. Agents reach
the domains through ``tools.Toolbox`` only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from hyperjourney.agents.base import AgentContext
from hyperjourney.db.database import Database
from hyperjourney.graphs.launch import CanvasLauncher, Launcher
from hyperjourney.graphs.leases import Lease
from hyperjourney.graphs.recorder import Recorder
from hyperjourney.models import tiers as tiers_mod
from hyperjourney.models.accounting import Ledger
from hyperjourney.models.router import Router
from hyperjourney.models.tiers import Tiers
from hyperjourney.settings import Settings
from hyperjourney.tools.toolbox import Toolbox


@dataclass
class Deps:
    """Everything a graph needs: database, model tiers, settings, clock, launcher and the step recorder."""

    db: Database
    settings: Settings
    launcher: Launcher
    tiers: Tiers
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    progress: Callable[[str], None] | None = None
    toolbox: type[Toolbox] = Toolbox  # tests pass a subclass whose tools they control
    record: bool = True  # False only to benchmark the graph machinery alone: no step or audit rows
    lease: Lease | None = None  # the run's lease while a process of ours moves it (None: LangGraph's own server)
    writer: Callable[[Any], None] | None = None  # the running node's LangGraph stream writer (nodes.deps_of)
    task: str | None = None  # the running node's LangGraph task id: keys its audit entries (nodes.deps_of)

    @property
    def recorder(self) -> Recorder:
        return Recorder(self.db, self.progress, enabled=self.record, writer=self.writer, task=self.task)

    def ledger(self, feature: str, spent: Spent | None = None) -> Ledger:
        """A ledger for one node, starting from what the run has spent so far (graph state, so the budget holds
        across checkpoints and a resume in another process)."""
        budgets = self.settings.budgets
        budget = min(budgets.per_feature_usd.get(feature, budgets.max_cost_usd_per_run), budgets.max_cost_usd_per_run)
        spent = spent or Spent()
        return Ledger(feature, budget, budgets.max_tokens_per_run, spent_usd=spent.spent_usd, tokens=spent.tokens)

    def context(
        self, tenant: str, run_id: str, feature: str, spent: Spent | None = None, *, channel: str | None = None
    ) -> AgentContext:
        """``channel``: the channel a reply goes out on; its latency budget (``router.latency_budget_ms``) starts
        now, so a tier that would miss it is skipped for a smaller one."""
        settings = self.settings.router
        budget = settings.latency_budget_ms.get(channel) if channel else None
        router = Router(self.tiers, self.ledger(feature, spent), settings, budget_ms=budget)
        return AgentContext(self.toolbox(self.db, tenant), router, self.clock(), run_id)


class Spent(BaseModel):
    """What a run has spent on model calls so far: kept in its graph state."""

    spent_usd: float = 0.0
    tokens: int = 0

    @classmethod
    def of(cls, ledger: Ledger) -> Spent:
        return cls(spent_usd=ledger.spent_usd, tokens=ledger.tokens)


def build_deps(
    db: Database,
    settings: Settings,
    *,
    tiers: Tiers | None = None,
    clock: Callable[[], datetime] | None = None,
    launcher: Launcher | None = None,
) -> Deps:
    return Deps(
        db=db,
        settings=settings,
        launcher=launcher or CanvasLauncher(db),
        tiers=tiers if tiers is not None else tiers_mod.from_settings(settings),
        clock=clock or (lambda: datetime.now(UTC)),
    )
