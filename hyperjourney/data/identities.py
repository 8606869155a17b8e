"""Identity resolution: deterministic normalization rules, then a union-find merge of profiles.

Two profiles that share any normalized email, phone, CRM id, device or cookie are the same person.
Each connected group merges into its oldest profile (ties: smallest id); merges are recorded with the
rule and evidence that linked them, and resolving again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import phonenumbers

if TYPE_CHECKING:
    import psycopg


class _HasIdentityFields(Protocol):
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def crm_id(self) -> str | None: ...
    @property
    def device_id(self) -> str | None: ...
    @property
    def cookie_id(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...


DEFAULT_PHONE_REGION = "US"
"""Where a national number is read when the profile has no country (the behaviour before countries counted)."""


def normalize_email(raw: str) -> str:
    local, _, domain = raw.strip().lower().partition("@")
    if domain in {"gmail.com", "googlemail.com"}:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def normalize_phone(raw: str, country: str | None = None) -> str:
    """E.164 (``+33123456789``): a national number is read in the profile's country, with Google's metadata.

    ``00`` is taken as the international prefix. A string that cannot be a number there keeps its digits
    (``+`` and the digits as written), so two spellings of the same odd number still link.
    """
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (country or DEFAULT_PHONE_REGION).upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return "+" + "".join(c for c in text if c.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def identities_of(row: _HasIdentityFields) -> list[tuple[str, str, str]]:
    """(kind, normalized value, raw value) for every identifier a profile carries."""
    found: list[tuple[str, str, str]] = []
    if row.email:
        found.append(("email", normalize_email(row.email), row.email))
    if row.phone:
        found.append(("phone", normalize_phone(row.phone, row.country), row.phone))
    for kind, raw in (("crm_id", row.crm_id), ("device", row.device_id), ("cookie", row.cookie_id)):
        if raw:
            found.append((kind, raw.strip(), raw))
    return found


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass(frozen=True)
class Merge:
    merged_customer: str
    into_customer: str
    rule: str
    evidence: str


def plan_merges(identities: list[tuple[str, str, str]], created: dict[str, tuple[object, str]]) -> list[Merge]:
    """Merges implied by (customer_id, kind, value) rows; ``created`` orders profiles (oldest wins)."""
    uf = UnionFind()
    first_holder: dict[tuple[str, str], str] = {}
    link: dict[str, tuple[str, str]] = {}
    for customer, kind, value in sorted(identities, key=lambda r: (r[1], r[2], created[r[0]])):
        uf.find(customer)
        holder = first_holder.setdefault((kind, value), customer)
        if holder != customer and uf.find(holder) != uf.find(customer):
            uf.union(holder, customer)
            link.setdefault(customer, (kind, value))
    groups: dict[str, list[str]] = {}
    for customer in uf.parent:
        groups.setdefault(uf.find(customer), []).append(customer)
    merges: list[Merge] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        survivor = min(members, key=lambda c: created[c])
        for member in sorted(members):
            if member == survivor:
                continue
            kind, value = link.get(member) or link.get(survivor) or ("group", survivor)
            merges.append(Merge(member, survivor, f"same_{kind}", _mask(kind, value)))
    return merges


def _mask(kind: str, value: str) -> str:
    """Evidence without the raw identifier: enough for a reviewer, no PII in the merge log."""
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{kind}:***{value[-4:]}"


@dataclass(frozen=True)
class ResolveResult:
    profiles: int
    merged_now: int
    merged_total: int


def resolve(conn: psycopg.Connection[Any]) -> ResolveResult:
    """Resolve the bound tenant's identities in the caller's transaction; idempotent."""
    created: dict[str, tuple[object, str]] = {
        cid: (ts, cid) for cid, ts in conn.execute("SELECT customer_id, created_at FROM customers").fetchall()
    }
    rows: list[tuple[str, str, str]] = conn.execute("SELECT customer_id, kind, value FROM identities").fetchall()
    merges = plan_merges(rows, created)
    merged_now = 0
    with conn.cursor() as cur:
        for m in merges:
            cur.execute(
                "INSERT INTO identity_merges (tenant_id, merged_customer, into_customer, rule, evidence) "
                "VALUES (current_tenant(), %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (m.merged_customer, m.into_customer, m.rule, m.evidence),
            )
            merged_now += cur.rowcount
        cur.executemany(
            "UPDATE customers SET merged_into = %s, updated_at = now() "
            "WHERE customer_id = %s AND merged_into IS DISTINCT FROM %s",
            [(m.into_customer, m.merged_customer, m.into_customer) for m in merges],
        )
    return ResolveResult(len(created), merged_now, len(merges))
