"""Logged rounds read back from ``logged_decisions`` as arrays, and the target policies `hyperjourney ope` offers.

A target is a distribution over the log's actions for every round: uniform over each round's candidates,
one fixed action, or the project's own Thompson sampler (journeys/bandit.py) replayed over the log, which
learns from the rounds before each batch as it would have live.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from hyperjourney.db.database import Database
from hyperjourney.journeys.bandit import ArmStats, choose

THOMPSON_BATCH = 500


class LoggedRounds(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    log: str
    action_names: list[str]
    actions: NDArray[np.int64]
    rewards: NDArray[np.float64]
    pscores: NDArray[np.float64]
    positions: NDArray[np.int64]
    candidates: NDArray[np.bool_]
    context: list[dict[str, Any]]


def load_rounds(db: Database, tenant: str, log: str = "default") -> LoggedRounds:
    """Every round of ``log`` in round order; actions are indexed by their sorted names."""
    with db.tenant(tenant) as conn:
        rows = conn.execute(
            "SELECT action, reward, propensity, position, candidates, context FROM logged_decisions "
            "WHERE log = %s ORDER BY ts NULLS LAST, round_id",
            (log,),
        ).fetchall()
    if not rows:
        raise ValueError(f"no logged rounds in log {log!r}; load them with `hyperjourney ingest decisions FILE`")
    names = sorted({r[0] for r in rows} | {c for r in rows for c in r[4]})
    index = {name: i for i, name in enumerate(names)}
    candidates = np.zeros((len(rows), len(names)), dtype=bool)
    for i, r in enumerate(rows):
        candidates[i, [index[c] for c in r[4]] or slice(None)] = True
    return LoggedRounds(
        log=log,
        action_names=names,
        actions=np.array([index[r[0]] for r in rows], dtype=np.int64),
        rewards=np.array([r[1] for r in rows], dtype=float),
        pscores=np.array([r[2] for r in rows], dtype=float),
        positions=np.array([r[3] for r in rows], dtype=np.int64),
        candidates=candidates,
        context=[r[5] for r in rows],
    )


def uniform_target(rounds: LoggedRounds) -> NDArray[np.float64]:
    c = rounds.candidates.astype(float)
    return c / c.sum(axis=1, keepdims=True)


def fixed_target(rounds: LoggedRounds, action: str) -> NDArray[np.float64]:
    if action not in rounds.action_names:
        raise ValueError(f"--target action:{action}: no such action in log {rounds.log!r}")
    dist = np.zeros((len(rounds.actions), len(rounds.action_names)))
    dist[:, rounds.action_names.index(action)] = 1.0
    return dist


def thompson_target(rounds: LoggedRounds, *, min_explore: float = 0.1, seed: int = 0) -> NDArray[np.float64]:
    """The project's Thompson sampler's choice probabilities per round, its arm statistics updated from the
    logged rounds before each batch of ``THOMPSON_BATCH`` rounds (rewards above 0 count as successes)."""
    k = len(rounds.action_names)
    trials = np.zeros(k, dtype=np.int64)
    successes = np.zeros(k, dtype=np.int64)
    rng = random.Random(seed)
    dist = np.zeros((len(rounds.actions), k))
    for start in range(0, len(rounds.actions), THOMPSON_BATCH):
        stats = [
            ArmStats(arm=name, trials=int(trials[j]), successes=int(successes[j]))
            for j, name in enumerate(rounds.action_names)
        ]
        probs = choose(stats, min_explore, rng).probabilities
        row = np.array([probs[name] for name in rounds.action_names])
        stop = min(start + THOMPSON_BATCH, len(rounds.actions))
        block = rounds.candidates[start:stop] * row
        dist[start:stop] = block / block.sum(axis=1, keepdims=True)
        a = rounds.actions[start:stop]
        np.add.at(trials, a, 1)
        np.add.at(successes, a, (rounds.rewards[start:stop] > 0).astype(np.int64))
    return dist


def target(rounds: LoggedRounds, spec: str, *, seed: int = 0) -> NDArray[np.float64]:
    """``uniform``, ``thompson`` or ``action:NAME``."""
    if spec == "uniform":
        return uniform_target(rounds)
    if spec == "thompson":
        return thompson_target(rounds, seed=seed)
    if spec.startswith("action:"):
        return fixed_target(rounds, spec.removeprefix("action:"))
    raise ValueError(f"--target {spec!r}: choose uniform, thompson or action:NAME")
