"""A tenant's brand: the name, signature and footer its customer replies carry, stored per tenant.

Kept in ``tenant_settings`` under ``brand`` (row-level security scopes it to the tenant). A tenant that
never set one signs with its own name from ``tenants``, never with another company's: every tenant was
once signed "Northwind Support" because the signature lived in the reply template.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hyperjourney.data import audit

BRAND_KEY = "brand"


class Brand(BaseModel):
    """What a customer-facing reply says about who sent it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, description="the company name customers know")
    signature: str = Field(min_length=1, max_length=120, description="how replies are signed, e.g. 'Acme Support'")
    footer: str = Field(
        "", max_length=500, description="a line under the signature (address, legal name); may be empty"
    )
    marketing_footer: str = Field(
        "",
        max_length=500,
        description="the line every marketing email ends with (opt-in reason, unsubscribe, postal address); "
        "empty: a plain opt-in and unsubscribe line in the brand's name",
    )

    def email_footer(self) -> str:
        """The marketing email's closing line: the tenant's own, else an opt-in and unsubscribe line in its name."""
        return self.marketing_footer or (
            f"You are receiving this because you opted in to {self.name} updates. Unsubscribe · Manage preferences"
        )

    @field_validator("name", "signature")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def load_brand(conn: psycopg.Connection[Any]) -> Brand:
    """The brand of the tenant bound to ``conn``; its own tenant name when none was stored."""
    row = conn.execute("SELECT value FROM tenant_settings WHERE key = %s", (BRAND_KEY,)).fetchone()
    if row is not None:
        return Brand.model_validate(row[0])
    named = conn.execute("SELECT name FROM tenants WHERE tenant_id = current_tenant()").fetchone()
    name = str(named[0]) if named and named[0] else "Support"
    return Brand(name=name, signature=f"The {name} team")


def store_brand(conn: psycopg.Connection[Any], brand: Brand, *, actor: str) -> Brand:
    """Set the tenant's brand (validated before anything is written), audited in the caller's transaction."""
    value = Brand.model_validate(brand.model_dump()).model_dump()
    conn.execute(
        "INSERT INTO tenant_settings (key, value) VALUES (%s, %s) "
        "ON CONFLICT (tenant_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
        (BRAND_KEY, Jsonb(value)),
    )
    audit.append(conn, actor=actor, action="brand_set", entity=BRAND_KEY, payload=value)
    return brand
