"""Thompson sampling over creative variants with a minimum exploration share, and the propensity of each
choice logged so off-policy estimators can reuse the data later."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel

PROPENSITY_DRAWS = 512


class ArmStats(BaseModel):
    arm: str
    trials: int = 0
    successes: int = 0


class BanditChoice(BaseModel):
    arm: str
    propensity: float
    probabilities: dict[str, float]


def choose(stats: list[ArmStats], min_explore: float, rng: random.Random) -> BanditChoice:
    """With probability ``min_explore`` a uniform arm, otherwise the arm whose Beta(1+s, 1+f) draw is highest."""
    k = len(stats)
    if k == 0:
        raise ValueError("a bandit needs at least one arm")
    alpha = np.array([1 + s.successes for s in stats], dtype=float)
    beta = np.array([1 + max(s.trials - s.successes, 0) for s in stats], dtype=float)
    np_rng = np.random.default_rng(rng.getrandbits(63))
    draws = np_rng.beta(alpha, beta, size=(PROPENSITY_DRAWS, k))
    win_share = np.bincount(draws.argmax(axis=1), minlength=k) / PROPENSITY_DRAWS
    probs = min_explore / k + (1 - min_explore) * win_share
    explore = rng.random() < min_explore
    idx = rng.randrange(k) if explore else int(np.argmax(np_rng.beta(alpha, beta)))
    names = [s.arm for s in stats]
    return BanditChoice(
        arm=names[idx],
        propensity=float(max(probs[idx], 1e-6)),
        probabilities={n: float(p) for n, p in zip(names, probs, strict=True)},
    )


def ensure_experiment(
    conn: psycopg.Connection[Any], experiment_id: str, kind: str, arms: list[str], min_explore: float = 0.1
) -> None:
    conn.execute(
        "INSERT INTO experiments (experiment_id, kind, arms, min_explore) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT DO NOTHING",
        (experiment_id, kind, Jsonb(arms), min_explore),
    )
    conn.execute(
        "INSERT INTO arm_stats (experiment_id, arm) SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
        (experiment_id, arms),
    )


def choose_logged(
    conn: psycopg.Connection[Any],
    experiment_id: str,
    customer_id: str,
    arms: list[str],
    *,
    rng: random.Random,
    decided_at: Any,
    min_explore: float = 0.1,
) -> tuple[BanditChoice, int]:
    """Choose an arm for one customer, count the trial and log the decision; returns (choice, decision_id)."""
    ensure_experiment(conn, experiment_id, "bandit", arms, min_explore)
    rows = conn.execute(
        "SELECT arm, trials, successes FROM arm_stats WHERE experiment_id = %s AND arm = ANY(%s) ORDER BY arm",
        (experiment_id, arms),
    ).fetchall()
    stats = [ArmStats(arm=a, trials=t, successes=s) for a, t, s in rows]
    choice = choose(stats, min_explore, rng)
    conn.execute(
        "UPDATE arm_stats SET trials = trials + 1 WHERE experiment_id = %s AND arm = %s", (experiment_id, choice.arm)
    )
    row = conn.execute(
        "INSERT INTO decisions (source, customer_id, decided_at, chosen, propensity, candidates) "
        "VALUES (%s, %s, %s, %s, %s, %s) RETURNING decision_id",
        (
            f"bandit:{experiment_id}",
            customer_id,
            decided_at,
            choice.arm,
            choice.propensity,
            Jsonb(choice.probabilities),
        ),
    ).fetchone()
    assert row is not None
    return choice, int(row[0])


def record_reward(conn: psycopg.Connection[Any], experiment_id: str, arm: str, decision_id: int | None) -> None:
    """A success for the arm (once per decision)."""
    if decision_id is not None:
        updated = conn.execute(
            "UPDATE decisions SET reward = 1 WHERE decision_id = %s AND reward IS DISTINCT FROM 1", (decision_id,)
        ).rowcount
        if not updated:
            return
    conn.execute(
        "UPDATE arm_stats SET successes = successes + 1 WHERE experiment_id = %s AND arm = %s", (experiment_id, arm)
    )
