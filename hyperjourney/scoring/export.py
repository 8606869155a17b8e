"""Write the stored scores of every customer to a CSV or Parquet file, one row per customer.

Columns: customer_id, then per score its value and confidence (and label for categorical scores), then the
model versions that produced them, so a downstream table records where each figure came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = (".csv", ".parquet")


Long = tuple[str, str, float, str | None, float, str]  # customer_id, name, value, label, confidence, version


def check_path(path: Path) -> None:
    if path.suffix not in FORMATS:
        raise ValueError(f"--out must end in {' or '.join(FORMATS)}, not {path.name!r}")


def stored_scores(conn: psycopg.Connection[Any]) -> list[Long]:
    """The latest stored scores, one row per customer and score."""
    return [
        (str(a), str(b), float(c), d, float(e), str(f))
        for a, b, c, d, e, f in conn.execute(
            "SELECT customer_id, name, value, label, confidence, model_version FROM customer_scores "
            "ORDER BY customer_id, name"
        )
    ]


def export_scores(rows: Iterable[Long], path: Path) -> int:
    """Write scores (long rows) to ``path`` (.csv or .parquet), one row per customer; returns the row count."""
    check_path(path)
    rows = list(rows)
    names = sorted({r[1] for r in rows})
    wide: dict[str, dict[str, Any]] = {}
    for cid, name, value, label, confidence, version in rows:
        row = wide.setdefault(cid, {"customer_id": cid})
        row[name] = float(value)
        row[f"{name}_confidence"] = float(confidence)
        if label is not None:
            row[f"{name}_label"] = label
        row[f"{name}_version"] = version
    columns = ["customer_id"]
    for name in names:
        columns += [name, f"{name}_confidence"]
        if any(f"{name}_label" in r for r in wide.values()):
            columns.append(f"{name}_label")
        columns.append(f"{name}_version")
    table = pa.table({c: [r.get(c) for r in wide.values()] for c in columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        pa_csv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return table.num_rows
