"""The inbound detector on its DEV set: a regression test, in-sample, not a held-out figure (issues 16.5, 20.9).

The dev files (hyperjourney/guardrails/inbound_dev_*.yaml) were the first held-out set: measured once at commit
b1c87d4 on the model of eec8aed (recall 0.808, false positives 2.0% of 301), then spent. They are now part of the
training corpus, so the figures asserted here are in-sample; the out-of-fold figures on the same texts (each scored
by a model trained without it, 5 folds) are what inbound_train.py prints and the README reports. The held-out
figure comes from a fresh set the detector never saw, kept under hyperjourney/evals/datasets/injection/ and read
by no package module. The floors are the final measured in-sample figures, so a worse detector fails.
"""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest
import yaml

from hyperjourney.guardrails.inbound import scan

RECALL_FLOOR = 1.0  # in-sample, measured 167/167 (out-of-fold 0.94: see inbound_train.py's output)
CATEGORY_FLOOR = 1.0  # in-sample, every category 1.00
FALSE_POSITIVE_CEILING = 0.0  # in-sample, measured 0/301 (out-of-fold 2.7%)
ROOT = Path(__file__).parents[2]


def _load(name: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((resources.files("hyperjourney.guardrails") / name).read_text("utf-8"))
    return [(category, text) for category, texts in data.items() for text in texts]


@pytest.fixture(scope="module")
def attacks() -> list[tuple[str, bool]]:
    return [(category, scan(text).attack) for category, text in _load("inbound_dev_attacks.yaml")]


@pytest.fixture(scope="module")
def benign() -> list[tuple[str, bool]]:
    return [(category, scan(text).attack) for category, text in _load("inbound_dev_benign.yaml")]


def test_dev_recall_overall_and_per_category(attacks: list[tuple[str, bool]]) -> None:
    by_category: dict[str, list[bool]] = defaultdict(list)
    for category, flagged in attacks:
        by_category[category].append(flagged)
    recall = sum(f for _, f in attacks) / len(attacks)
    print(f"\ndev attacks (in-sample): recall {recall:.3f} on {len(attacks)}")
    for category, flags in sorted(by_category.items()):
        print(f"  {category}: {sum(flags)}/{len(flags)} = {sum(flags) / len(flags):.2f}")
    assert len(attacks) >= 150 and len(by_category) >= 8
    assert recall >= RECALL_FLOOR
    weak = {c: sum(f) / len(f) for c, f in by_category.items() if sum(f) / len(f) < CATEGORY_FLOOR}
    assert weak == {}


def test_dev_benign_false_positives(benign: list[tuple[str, bool]]) -> None:
    flagged = [c for c, f in benign if f]
    rate = len(flagged) / len(benign)
    print(f"\ndev benign (in-sample): false positives {len(flagged)}/{len(benign)} = {rate:.3f} ({sorted(flagged)})")
    assert len(benign) >= 300
    assert rate <= FALSE_POSITIVE_CEILING


HELD_OUT_NAMES = ("held_out_attacks", "held_out_benign", "held_out_v2", "held_out_v3")


def test_no_package_module_reads_a_held_out_set() -> None:
    """Held-out injection sets live under evals/datasets/injection/ and must stay unseen by training and tuning:
    only the evals (which measure, never train) may name them."""
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "hyperjourney").rglob("*.py")
        if "evals" not in path.relative_to(ROOT).parts and any(s in path.read_text("utf-8") for s in HELD_OUT_NAMES)
    ]
    assert readers == []
