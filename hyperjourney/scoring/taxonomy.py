"""A tenant's intent taxonomy: the intents its labelled tickets use, with optional descriptions and routes.

The intents are learned, not configured: they are the labels on the tenant's tickets (and the classes of its
active ticket_intent model). A small YAML or CSV file (`hyperjourney models taxonomy set FILE`) adds what a
label cannot say: what the intent means (shown to the LLM tier) and the team or queue it routes to.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import psycopg
import yaml
from pydantic import BaseModel, Field, ValidationError

from hyperjourney.scoring import registry


class IntentEntry(BaseModel):
    intent: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=1000)
    route: str | None = Field(None, max_length=200)
    tickets: int = 0  # labelled tickets with this intent


class Taxonomy(BaseModel):
    source: str  # where the intent list comes from
    intents: list[IntentEntry]

    def names(self) -> list[str]:
        return [e.intent for e in self.intents]

    def route(self, intent: str) -> str | None:
        return next((e.route for e in self.intents if e.intent == intent), None)

    def prompt_lines(self) -> str:
        """The intent list as the LLM tier reads it: one per line, with its description where given."""
        return "\n".join(f"- {e.intent}" + (f": {e.description}" if e.description else "") for e in self.intents)


def parse(path: Path) -> list[IntentEntry]:
    """Read a YAML (a list of {intent, description, route}) or CSV (header intent,description,route) file.

    Raises ValueError naming the entry (YAML item or CSV line) and field that is wrong.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        items: list[Any] = list(csv.DictReader(io.StringIO(text)))
        where = "line"
        first = 2  # the header is line 1
    elif path.suffix.lower() in (".yaml", ".yml"):
        loaded = yaml.safe_load(text)
        listed = loaded.get("intents") if isinstance(loaded, dict) else loaded
        if not isinstance(listed, list):
            raise ValueError(f"{path}: expected a list of intents (or a mapping with an 'intents' list)")
        items = listed
        where, first = "item", 1
    else:
        raise ValueError(f"{path}: taxonomy files are .yaml, .yml or .csv")
    out: list[IntentEntry] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=first):
        if not isinstance(item, dict):
            raise ValueError(f"{path} {where} {n}: expected intent, description, route")
        clean = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in item.items() if k}
        unknown = set(clean) - {"intent", "description", "route"}
        if unknown:
            raise ValueError(f"{path} {where} {n}: unknown field {sorted(unknown)[0]!r} (intent, description, route)")
        try:
            entry = IntentEntry(**clean)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ValueError(f"{path} {where} {n}: field {err['loc'][0]!r}: {err['msg']}") from None
        if entry.intent in seen:
            raise ValueError(f"{path} {where} {n}: intent {entry.intent!r} appears twice")
        seen.add(entry.intent)
        out.append(entry)
    if not out:
        raise ValueError(f"{path}: no intents")
    return out


def store(conn: psycopg.Connection[Any], entries: list[IntentEntry]) -> None:
    """Replace the tenant's descriptions and routes with these, in the caller's transaction (all or nothing)."""
    conn.execute("DELETE FROM intent_taxonomy")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO intent_taxonomy (intent, description, route) VALUES (%s, %s, %s)",
            [(e.intent, e.description, e.route) for e in entries],
        )


def stored_notes(conn: psycopg.Connection[Any]) -> dict[str, tuple[str | None, str | None]]:
    """Per intent set by a file: (description, route)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT intent, description, route FROM intent_taxonomy")}


def load(conn: psycopg.Connection[Any]) -> Taxonomy:
    """The intents of the tenant's active model (else of its labels), with descriptions and routes from the file.

    An intent set in the file but seen in no label is still listed (tickets 0): the classifier cannot
    predict it until tickets carry it, which `show` makes visible.
    """
    counts = dict(
        conn.execute(
            "SELECT btrim(labels->>'intent'), count(*) FROM tickets WHERE nullif(btrim(labels->>'intent'), '') "
            "IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    active = registry.get(conn, "ticket_intent")
    if active is not None and active.artifact is not None:
        names, source = list(active.artifact["classes"]), f"the active model {active.label}"
    else:
        names, source = sorted(counts), "the tenant's ticket labels (no active tenant model)"
    notes = stored_notes(conn)
    names += sorted(set(notes) - set(names))
    return Taxonomy(
        source=source,
        intents=[
            IntentEntry(
                intent=n,
                description=notes.get(n, (None, None))[0],
                route=notes.get(n, (None, None))[1],
                tickets=int(counts.get(n, 0)),
            )
            for n in names
        ],
    )
