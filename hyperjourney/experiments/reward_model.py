"""The doubly robust estimators' reward model, cross-fitted: each round's predictions come from a model that
never saw that round, so the DR correction term is not biased by the model memorising its own rewards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold


def _context_matrix(context: ArrayLike | Sequence[dict[str, Any]], n: int) -> sp.csr_matrix:
    """Numeric arrays as they are; feature dicts one-hot for strings, numbers as numbers."""
    if isinstance(context, Sequence) and len(context) and isinstance(context[0], dict):
        return sp.csr_matrix(DictVectorizer().fit_transform(context))
    x = np.asarray(context, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != n:
        raise ValueError("context: expected one row of features per round")
    return sp.csr_matrix(x)


def _one_hot(index: NDArray[np.int64], width: int) -> sp.csr_matrix:
    n = len(index)
    return sp.csr_matrix((np.ones(n), (np.arange(n), index)), shape=(n, width))


def cross_fit_rewards(
    actions: NDArray[np.int64],
    rewards: NDArray[np.float64],
    n_actions: int,
    context: ArrayLike | Sequence[dict[str, Any]] | None,
    *,
    positions: NDArray[np.int64],
    folds: int = 5,
    seed: int = 0,
) -> tuple[NDArray[np.float64], str]:
    """(n, K) expected reward of every action at each round's slot, and the model's name. With context:
    logistic regression (0/1 rewards) or ridge on context, action, slot and context × action, fitted k-fold;
    without: the mean reward per action and slot in the other folds."""
    n = len(actions)
    slots = int(positions.max()) + 1
    q = np.zeros((n, n_actions))
    folds = max(2, min(folds, n))
    binary = bool(np.isin(rewards, (0.0, 1.0)).all())
    x_ctx = None if context is None else _context_matrix(context, n)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.arange(n)):
        if x_ctx is None:
            q[test] = _mean_table(actions[train], positions[train], rewards[train], n_actions, slots)[
                :, positions[test]
            ].T
            continue

        x_train = _design(x_ctx[train], actions[train], positions[train], n_actions, slots)
        y = rewards[train]
        if binary and len(np.unique(y)) < 2:
            q[test] = float(y[0]) if len(y) else 0.0
            continue
        model = LogisticRegression(max_iter=500, C=1.0) if binary else Ridge(alpha=1.0)
        model.fit(x_train, y)
        logits = _all_actions(x_ctx[test], positions[test], np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]),
                              n_actions, slots)  # fmt: skip
        q[test] = expit(logits) if binary else logits
    name = "per-action mean" if x_ctx is None else ("logistic" if binary else "ridge")
    return q, f"{name}, {folds}-fold cross-fitted"


def _design(
    x: sp.csr_matrix, acts: NDArray[np.int64], slots_of: NDArray[np.int64], k: int, slots: int
) -> sp.csr_matrix:
    """[context | action one-hot | slot one-hot | context placed in the taken action's block of K]."""
    coo = x.tocoo()
    d = x.shape[1]
    per_action = sp.csr_matrix((coo.data, (coo.row, coo.col + acts[coo.row] * d)), shape=(x.shape[0], k * d))
    return sp.hstack([x, _one_hot(acts, k), _one_hot(slots_of, slots), per_action]).tocsr()


def _all_actions(
    x: sp.csr_matrix, slots_of: NDArray[np.int64], coef: NDArray[np.float64], intercept: float, k: int, slots: int
) -> NDArray[np.float64]:
    """The linear predictor of every action at once from the fitted coefficients (one product, not K designs)."""
    d = x.shape[1]
    w_ctx, w_act, w_slot = coef[:d], coef[d : d + k], coef[d + k : d + k + slots]
    w_inter = coef[d + k + slots :].reshape(k, d)
    shared = x @ w_ctx + w_slot[slots_of] + intercept
    return np.asarray(shared[:, None] + w_act[None, :] + x @ w_inter.T, dtype=float)


def _mean_table(
    actions: NDArray[np.int64], positions: NDArray[np.int64], rewards: NDArray[np.float64], k: int, slots: int
) -> NDArray[np.float64]:
    """(K, slots) mean reward; cells never observed fall back to the action's mean, then the overall mean."""
    overall = float(rewards.mean()) if len(rewards) else 0.0
    by_action = np.full(k, overall)
    table = np.empty((k, slots))
    for j in range(k):
        mask = actions == j
        if mask.any():
            by_action[j] = float(rewards[mask].mean())
        for s in range(slots):
            cell = mask & (positions == s)
            table[j, s] = float(rewards[cell].mean()) if cell.any() else by_action[j]
    return table
