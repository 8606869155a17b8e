"""Deterministic assignment by hashed id: the same customer lands in the same arm on every run and machine."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def bucket(salt: str, unit: str) -> float:
    """A uniform number in [0, 1) fixed by (salt, unit)."""
    digest = hashlib.sha256(f"{salt}\x1f{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_holdout(journey_id: str, customer_id: str, share: float) -> bool:
    """Holdout per journey (not per version), so a new version keeps the same control group."""
    return bucket(f"holdout:{journey_id}", customer_id) < share


def ab_arm(experiment_id: str, customer_id: str, arms: Sequence[str], weights: Sequence[float] | None = None) -> str:
    """Weighted split of customers over arms; equal weights unless given."""
    if not arms:
        raise ValueError("an A/B test needs at least one arm")
    w = list(weights or [1.0] * len(arms))
    if len(w) != len(arms) or any(x < 0 for x in w) or sum(w) <= 0:
        raise ValueError("weights must be one non-negative number per arm, not all zero")
    u, acc, total = bucket(f"ab:{experiment_id}", customer_id), 0.0, sum(w)
    for arm, x in zip(arms, w, strict=True):
        acc += x / total
        if u < acc:
            return arm
    return arms[-1]
