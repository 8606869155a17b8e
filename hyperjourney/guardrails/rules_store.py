"""Per-tenant content rules: versioned rows, the packaged demo rules as the default, import from the KB.

A tenant's banned-claims document (the markdown the knowledge base ingests) can become its rules:
bullets under "Banned phrases" are added to the banned list and the competitors heading sets the
competitor list, in a new version.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from hyperjourney.data import audit
from hyperjourney.db.database import Database
from hyperjourney.guardrails.rules import ContentRules, ContentRulesError, demo_rules, parse_rules

_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.+?)\s*$")


def active_content_rules(conn: psycopg.Connection[Any]) -> ContentRules:
    row = conn.execute("SELECT version, document FROM tenant_content_rules WHERE active").fetchone()
    if row is None:
        return demo_rules()
    try:
        return ContentRules.model_validate(row[1])
    except ValueError as exc:
        raise ContentRulesError(f"stored content rules {row[0]} are invalid: {exc}") from exc


def load_content_rules(db: Database, tenant: str) -> ContentRules:
    with db.tenant(tenant) as conn:
        return active_content_rules(conn)


def store_content_rules(db: Database, tenant: str, rules: ContentRules, *, source: str, actor: str) -> ContentRules:
    """Activate a validated rules version; the previous one stays, inactive."""
    with db.tenant(tenant) as conn:
        if conn.execute("SELECT 1 FROM tenant_content_rules WHERE version = %s", (rules.version,)).fetchone():
            raise ContentRulesError(f"{source}: version {rules.version!r} already exists; bump `version`")
        conn.execute("UPDATE tenant_content_rules SET active = false WHERE active")
        conn.execute(
            "INSERT INTO tenant_content_rules (version, document, source) VALUES (%s, %s, %s)",
            (rules.version, Jsonb(rules.model_dump(mode="json")), source),
        )
        audit.append(
            conn, actor=actor, action="content_rules_activate", entity=rules.version, payload={"source": source}
        )
    return rules


def store_content_rules_yaml(db: Database, tenant: str, text: str, *, source: str, actor: str) -> ContentRules:
    return store_content_rules(db, tenant, parse_rules(text, source=source), source=source, actor=actor)


def rules_from_banned_claims(markdown: str, base: ContentRules, *, version: str) -> ContentRules:
    """Banned phrases and competitor names read from a banned-claims document, on top of `base`."""
    section, banned, competitors = "", [], []
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = heading.group(1).lower()
            continue
        bullet = _BULLET.match(line)
        if not bullet:
            continue
        item = re.sub(r"\s*\(.*?\)\s*$", "", bullet.group(1)).strip().strip('"')
        if "banned" in section and "phrase" in section:
            banned.append(item)
        elif "competitor" in section:
            competitors.append(item)
    if not banned:
        raise ContentRulesError("no bullets under a 'Banned phrases' heading; is this the banned-claims document?")
    merged = list(dict.fromkeys([*banned, *base.banned_phrases]))  # stricter wins: importing never drops a phrase
    return base.model_copy(
        update={"version": version, "banned_phrases": merged, "competitors": competitors or base.competitors}
    )
