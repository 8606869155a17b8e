"""Consent as it stands at the moment of sending: checked again at dispatch, even for approved actions."""

from __future__ import annotations

from typing import Any

import psycopg
from pydantic import BaseModel

# Consent ledger channel for each delivery channel.
CONSENT_CHANNEL = {"email": "email", "sms": "sms", "push": "push", "in_app": "in_app", "webhook": "web"}
# Channels where marketing needs an explicit grant; the others are refused only on a withdrawal.
OPT_IN_CHANNELS = frozenset({"email", "sms", "push"})


class ConsentVerdict(BaseModel):
    allowed: bool
    reason: str


def _ledger(channel: str, purpose: str) -> tuple[str, str]:
    if channel == "webhook":
        return CONSENT_CHANNEL[channel], "profiling"
    return CONSENT_CHANNEL[channel], "marketing" if purpose == "marketing" else "transactional"


def consent_verdicts(
    conn: psycopg.Connection[Any], wanted: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], ConsentVerdict]:
    """Verdicts for many (customer, channel, purpose) at once: one query for a whole dispatch batch.

    Marketing on email/SMS/push needs a current grant; anything is refused after a withdrawal.
    """
    customers = sorted({c for c, _, _ in wanted})
    known = {r[0] for r in conn.execute("SELECT customer_id FROM customers WHERE customer_id = ANY(%s)", (customers,))}
    ledger = {
        (c, ch, p): status
        for c, ch, p, status in conn.execute(
            "SELECT customer_id, channel, purpose, status FROM current_consents WHERE customer_id = ANY(%s)",
            (customers,),
        )
    }
    out = {}
    for customer, channel, purpose in wanted:
        ledger_channel, ledger_purpose = _ledger(channel, purpose)
        status = ledger.get((customer, ledger_channel, ledger_purpose))
        out[(customer, channel, purpose)] = _verdict(customer in known, status, customer, channel, purpose)
    return out


def _verdict(exists: bool, status: str | None, customer_id: str, channel: str, purpose: str) -> ConsentVerdict:
    ledger_channel, ledger_purpose = _ledger(channel, purpose)
    if not exists:
        return ConsentVerdict(allowed=False, reason=f"unknown customer {customer_id!r}")
    if status == "withdrawn":
        return ConsentVerdict(allowed=False, reason=f"{ledger_purpose} consent on {ledger_channel} withdrawn")
    if purpose == "marketing" and channel in OPT_IN_CHANNELS and status != "granted":
        return ConsentVerdict(allowed=False, reason=f"no marketing consent on {ledger_channel}")
    return ConsentVerdict(
        allowed=True, reason=f"{ledger_purpose} consent on {ledger_channel}: {status or 'not required'}"
    )
