"""Off-policy evaluation accuracy on public logs: the Open Bandit Dataset sample in obp's wheel.

The uniform-random policy's true value is its own on-policy click rate (the `random` log). Estimating it
from the `bts` log (logged by Bernoulli Thompson sampling) is the dataset's standard check: each estimator's
relative error against that truth, and whether its interval covers it.
"""

from __future__ import annotations

import numpy as np

from bench.report import Figure, stopwatch
from bench.wheels import MissingWheel, obd_rounds
from hyperjourney.experiments.ope import evaluate


def run() -> list[Figure]:
    try:
        random_log = obd_rounds("all", "random")
        bts_log = obd_rounds("all", "bts")
    except MissingWheel as exc:
        return [Figure(f"ope skipped: {exc}", float("nan"), "", "-")]
    truth = float(np.mean([r["reward"] for r in random_log]))
    names = sorted({r["action"] for r in bts_log} | {r["action"] for r in random_log})
    actions = np.array([names.index(r["action"]) for r in bts_log])
    rewards = np.array([r["reward"] for r in bts_log])
    pscores = np.array([r["propensity"] for r in bts_log])
    positions = np.array([r["position"] for r in bts_log])
    target = np.full((len(bts_log), len(names)), 1 / len(names))
    with stopwatch() as elapsed:
        report = evaluate(actions, rewards, pscores, target, [r["context"] for r in bts_log],
                          positions=positions, bootstrap=500)  # fmt: skip
    seconds = elapsed()
    figures = [
        Figure(f"ope OBD all, uniform from bts log ({report.rounds:,} rounds): evaluate()", seconds, "s", "-"),
        Figure(
            f"ope OBD: effective sample size (warning: {'yes' if report.warning else 'no'})",
            report.effective_sample_size,
            "rounds",
            ">= 100",
            meets_target=report.effective_sample_size >= 100,
        ),
    ]
    for e in report.estimates:
        covers = e.ci_low <= truth <= e.ci_high
        figures.append(
            Figure(
                f"ope OBD {e.estimator}: {e.value:.5f} [{e.ci_low:.5f}, {e.ci_high:.5f}] vs on-policy {truth:.5f}",
                abs(e.value - truth) / truth * 100,
                "% rel. error",
                "interval covers truth",
                higher_is_better=False,
                meets_target=covers,
            )
        )
    return figures
