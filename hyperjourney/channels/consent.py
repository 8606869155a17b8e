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


def check_consent(conn: psycopg.Connection[Any], customer_id: str, channel: str, purpose: str) -> ConsentVerdict:
    """Marketing on email/SMS/push needs a current grant; anything is refused after a withdrawal."""
    ledger_channel = CONSENT_CHANNEL[channel]
    ledger_purpose = {"marketing": "marketing", "transactional": "transactional", "support": "transactional"}[purpose]
    if channel == "webhook":
        ledger_purpose = "profiling"
    row = conn.execute(
        "SELECT c.customer_id IS NOT NULL, cc.status FROM (SELECT 1) one "
        "LEFT JOIN customers c ON c.customer_id = %(c)s "
        "LEFT JOIN current_consents cc ON cc.customer_id = %(c)s AND cc.channel = %(ch)s AND cc.purpose = %(p)s",
        {"c": customer_id, "ch": ledger_channel, "p": ledger_purpose},
    ).fetchone()
    assert row is not None
    exists, status = row
    if not exists:
        return ConsentVerdict(allowed=False, reason=f"unknown customer {customer_id!r}")
    if status == "withdrawn":
        return ConsentVerdict(allowed=False, reason=f"{ledger_purpose} consent on {ledger_channel} withdrawn")
    if purpose == "marketing" and channel in OPT_IN_CHANNELS and status != "granted":
        return ConsentVerdict(allowed=False, reason=f"no marketing consent on {ledger_channel}")
    return ConsentVerdict(
        allowed=True, reason=f"{ledger_purpose} consent on {ledger_channel}: {status or 'not required'}"
    )
