"""Build the packaged ticket classifiers (`python -m hyperjourney.scoring.packaged_text`).

Run once by a maintainer, never at run time: fits intent and sentiment on every ticket of the
deterministic demo generator (seed 11) and measures accuracy on tickets it never saw (seed 12), then
writes plain JSON parameters (no pickle) to ``ticket_text.json`` beside this module, which
`hyperjourney.scoring.text` loads so a tenant without labels classifies without training first.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hyperjourney.data.seed.generator import generate
from hyperjourney.scoring.text import PACKAGED_PATH, _evaluate, fit_text

TRAIN_SEED, HELD_OUT_SEED = 11, 12


def _first_messages(seed: int, tickets: int) -> list[tuple[str, str, str]]:
    data = generate(seed=seed, customers=700, events=8000, tickets=tickets)
    firsts: dict[str, tuple[str, str, str]] = {}
    for m in sorted(data.ticket_messages, key=lambda m: m.sent_at):
        if m.author == "customer" and m.ticket_id not in firsts:
            firsts[m.ticket_id] = (f"{m.subject}\n{m.body}", m.labels["intent"], m.labels["sentiment"])
    return list(firsts.values())


def build() -> dict[str, Any]:
    train, held_out = _first_messages(TRAIN_SEED, 1500), _first_messages(HELD_OUT_SEED, 500)
    out: dict[str, Any] = {}
    for name, col in (("ticket_intent", 1), ("ticket_sentiment", 2)):
        tr = [(r[0], r[col]) for r in train]
        te = [(r[0], r[col]) for r in held_out]
        artifact = fit_text([t for t, _ in tr], [y for _, y in tr])
        # three decimals keep the file small; the accuracy below is measured on the rounded parameters
        artifact["coef"] = [[round(w, 3) for w in row] for row in artifact["coef"]]
        artifact["idf"] = [round(w, 4) for w in artifact["idf"]]
        quality = _evaluate(artifact, tr, te)
        quality |= {
            "held_out": f"{len(te)} tickets of the demo generator (seed {HELD_OUT_SEED}) never seen in training "
            f"({len(tr)} tickets, seed {TRAIN_SEED})",
            "description": f"{name.removeprefix('ticket_')} of the customer's first message (packaged model)",
            "beats_baseline": bool(quality["macro_f1"] > quality["baseline_macro_f1"]),
        }
        out[name] = {"artifact": artifact, "metrics": quality}
    return out


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGED_PATH
    target.write_text(json.dumps(build(), separators=(",", ":"), sort_keys=True), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
