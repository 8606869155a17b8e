"""Off-policy evaluation of a new NBA weighting from logged decisions, before it goes live.

Each logged decision kept every candidate's objective components and the propensity of the action taken,
so a candidate weighting can be replayed: IPS and self-normalised IPS reweight the logged rewards, and the
doubly robust estimate adds a per-action reward model so it stays usable when the policies rarely agree.
Its interval is `ope.py`'s Poisson bootstrap, streamed in chunks, so memory does not grow with B x n.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from hyperjourney.db.database import Database
from hyperjourney.experiments.ope import poisson_bootstrap
from hyperjourney.nba.rank import Components, Weights, blend


class OffPolicyEstimate(BaseModel):
    decisions: int
    logged_value: float
    ips: float
    snips: float
    doubly_robust: float
    dr_ci: tuple[float, float]
    agreement: float
    effective_sample_size: float


def new_choice(candidates: list[dict[str, Any]], weights: Weights) -> str:
    allowed = [c for c in candidates if c.get("allowed", True)]
    fields = Components.model_fields

    def score(c: dict[str, Any]) -> float:
        return blend(Components(**{k: c[k] for k in fields if k in c}), weights)

    return max(allowed, key=lambda c: (score(c), c["action_id"]))["action_id"] if allowed else "nothing"


def estimate(
    db: Database, tenant: str, weights: Weights, *, source: str = "nba", bootstrap: int = 300, seed: int = 0
) -> OffPolicyEstimate:
    """Value (mean reward) the ``weights`` policy would have had on the logged decisions; missing rewards are 0."""
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT chosen, propensity, coalesce(reward, 0), candidates FROM decisions WHERE source = %s",
            (source,),
        ).fetchall()
    if not rows:
        raise ValueError(f"no logged {source} decisions to evaluate against")
    chosen = [r[0] for r in rows]
    p = np.array([float(r[1]) for r in rows])
    r = np.array([float(x[2]) for x in rows])
    target = [new_choice(x[3], weights) for x in rows]
    match = np.array([a == b for a, b in zip(chosen, target, strict=True)], dtype=float)
    w = match / p
    kinds = [a.split(":", 1)[0] for a in chosen]
    q_by_kind = {k: float(r[[i for i, kk in enumerate(kinds) if kk == k]].mean()) for k in set(kinds)}
    default_q = float(r.mean())
    q_logged = np.array([q_by_kind.get(k, default_q) for k in kinds])
    q_target = np.array([q_by_kind.get(t.split(":", 1)[0], default_q) for t in target])
    dr_terms = q_target + w * (r - q_logged)
    # the Poisson bootstrap of `ope.py`, streamed over the rounds: memory O(n + B), not a B x n index matrix
    ci = poisson_bootstrap({"dr": (dr_terms, np.ones_like(dr_terms))}, resamples=bootstrap, confidence=0.95, seed=seed)
    return OffPolicyEstimate(
        decisions=len(rows),
        logged_value=float(r.mean()),
        ips=float((w * r).mean()),
        snips=float((w * r).sum() / w.sum()) if w.sum() > 0 else 0.0,
        doubly_robust=float(dr_terms.mean()),
        dr_ci=ci["dr"],
        agreement=float(match.mean()),
        effective_sample_size=float(w.sum() ** 2 / (w**2).sum()) if (w**2).sum() > 0 else 0.0,
    )
