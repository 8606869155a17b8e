"""`ingest decisions` + `hyperjourney ope` on the public Open Bandit Dataset sample shipped in obp's wheel:
rows validated and stored under RLS, estimates equal to the reference formulas computed from the raw CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.wheels import MissingWheel, obd_rounds
from hyperjourney.db.database import Database
from hyperjourney.experiments.ope import evaluate
from hyperjourney.experiments.ope_logs import load_rounds, target, thompson_target
from tests.cli_runner import invoke

ROUNDS = 1500


@pytest.fixture(scope="module")
def obd() -> list[dict]:
    try:
        return obd_rounds(limit=ROUNDS)
    except MissingWheel as exc:
        pytest.skip(str(exc))


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_public_logs_ingest_and_match_the_reference(db: Database, tenant: str, obd: list[dict], tmp_path: Path) -> None:
    code, out = invoke("ingest", "decisions", str(_write(tmp_path / "obd.jsonl", obd)), "--tenant", tenant)
    assert code == 0, out
    assert f"logged_decisions written │ {ROUNDS:,}" in out
    code, out = invoke("ingest", "decisions", str(tmp_path / "obd.jsonl"), "--tenant", tenant)
    assert f"already stored (skipped) │ {ROUNDS:,}" in out

    rounds = load_rounds(db, tenant, "obd-random-men")
    assert len(rounds.actions) == ROUNDS and len(rounds.action_names) == 34
    # reference (OBP): iw = pi_e / pscore from the raw CSV rows, here a uniform target over the 34 items
    names = sorted({r["action"] for r in obd})
    by_round = sorted(obd, key=lambda r: r["ts"])
    r = np.array([x["reward"] for x in by_round])
    p = np.array([x["propensity"] for x in by_round])
    a = np.array([names.index(x["action"]) for x in by_round])
    iw = (1 / 34) / p
    q = np.tile(np.linspace(0.001, 0.01, 34), (ROUNDS, 1))
    report = evaluate(rounds.actions, rounds.rewards, rounds.pscores, target(rounds, "uniform"),
                      positions=rounds.positions, estimated_rewards=q)  # fmt: skip
    assert report.get("ips").value == pytest.approx((iw * r).mean(), abs=1e-9, rel=0)
    assert report.get("snips").value == pytest.approx((iw * r).sum() / iw.sum(), abs=1e-9, rel=0)
    dr = (q / 34).sum(axis=1) + iw * (r - q[np.arange(ROUNDS), a])
    assert report.get("dr").value == pytest.approx(dr.mean(), abs=1e-9, rel=0)

    code, out = invoke("ope", "--target", "thompson", "--log", "obd-random-men", "--tenant", tenant,
                       "--bootstrap", "100", "--folds", "3")  # fmt: skip
    assert code == 0, out
    for name in ("ips", "snips", "dr", "switch_dr"):
        assert name in out
    assert "logistic, 3-fold cross-fitted" in out


def test_thompson_target_is_a_distribution_per_round_that_learns(db: Database, tenant: str, tmp_path: Path) -> None:
    rows = [
        {"round_id": f"r{i}", "ts": f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}Z", "action": "good" if i % 2 else "bad",
         "candidates": ["bad", "good"], "propensity": 0.5, "reward": float(i % 2)}
        for i in range(1200)
    ]  # fmt: skip
    assert invoke("ingest", "decisions", str(_write(tmp_path / "d.jsonl", rows)), "--tenant", tenant)[0] == 0
    rounds = load_rounds(db, tenant)
    dist = thompson_target(rounds)
    assert np.allclose(dist.sum(axis=1), 1.0)
    good = rounds.action_names.index("good")
    assert dist[0, good] == pytest.approx(0.5, abs=0.1)  # no data yet: close to even
    assert dist[-1, good] > 0.9  # after 1,000 rounds the sampler prefers the arm that always paid


def test_bad_rows_are_rejected_by_line_and_field(db: Database, tenant: str, tmp_path: Path) -> None:
    rows = [
        {"round_id": "a", "action": "x", "propensity": 0.5, "reward": 1},
        {"round_id": "b", "action": "x", "propensity": 0, "reward": 1},
        {"round_id": "c", "action": "z", "candidates": ["x", "y"], "propensity": 0.5, "reward": 0},
        {"round_id": "d", "action": "x", "propensity": 0.5, "reward": 0, "context": {"f": [1, 2]}},
    ]
    _, out = invoke("ingest", "decisions", str(_write(tmp_path / "bad.jsonl", rows)), "--tenant", tenant)
    assert "logged_decisions written │ 1" in out, out
    assert "line 2" in out and "propensity" in out
    assert "line 3" in out and "not among the candidates" in out
    assert "line 4" in out and "feature 'f'" in out
    assert len(load_rounds(db, tenant).actions) == 1
    code, out = invoke("ope", "--log", "nothing", "--tenant", tenant)
    assert code == 1 and "no logged rounds in log 'nothing'" in out
