"""PII redaction for logs and the audit trail: emails, phones, card numbers (Luhn), IBANs, accounts, addresses.

Tokens are keyed HMACs of the value ("[EMAIL_1a2b3c4d5e6f7a8b]") under a secret key (the tenant's, or the
installation's for logs: redaction_keys.py): the same customer reads the same in every line of a tenant
without the value itself, tokens differ across tenants, and a guessed value cannot be confirmed without
the key. The token -> original mapping is returned; whether it is kept is the tenant's choice (pii_vault.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from pydantic import BaseModel

from hyperjourney.guardrails.pii import find_pii
from hyperjourney.guardrails.redaction_keys import install_key


class Redacted(BaseModel):
    text: str
    mapping: dict[str, str]


# Hex spelled in consonants: a token never holds a digit, so no number detector (ours, a mail filter's, the
# safety eval's card pattern) reads one as a card or phone number (16 hex digits held a 13-digit run now and then).
_LETTERS = str.maketrans("0123456789abcdef", "bcdfghjklmnpqrst")
TOKEN_BODY = r"(?:[0-9a-f]{8}(?:[0-9a-f]{8})?|[bcdfghjklmnpqrst]{16})"  # old hex tokens still reveal


def token_for(kind: str, value: str, key: bytes) -> str:
    """64 bits of HMAC-SHA256: collisions stay negligible for millions of values per tenant."""
    digest = hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"[{kind.upper()}_{digest.translate(_LETTERS)}]"


def redact(text: str, key: bytes | None = None) -> Redacted:
    """Replace personal data with tokens under ``key`` (a tenant's; None: the installation's, for logs)."""
    secret = key if key is not None else install_key()
    mapping: dict[str, str] = {}
    out: list[str] = []
    pos = 0
    for m in find_pii(text):
        token = token_for(m.kind, m.value, secret)
        mapping[token] = m.value
        out.append(text[pos : m.start])
        out.append(token)
        pos = m.end
    out.append(text[pos:])
    return Redacted(text="".join(out), mapping=mapping)


def redact_payload(value: Any, mapping: dict[str, str] | None = None, *, key: bytes | None = None) -> Any:
    """Redact every string inside a JSON-like payload; tokens found are added to `mapping`."""
    sink = mapping if mapping is not None else {}
    if isinstance(value, str):
        r = redact(value, key)
        sink.update(r.mapping)
        return r.text
    if isinstance(value, dict):
        return {k: redact_payload(v, sink, key=key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_payload(v, sink, key=key) for v in value]
    return value


def install_log_redaction() -> None:
    """Redact every log record the process creates, whichever library logs it (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "hyperjourney_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: leave it to logging to report
            return record
        record.msg, record.args = redact(message).text, None
        return record

    factory.hyperjourney_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingFilter(logging.Filter):
    """Attach to a handler so log lines never carry raw PII."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage()).text
        record.args = None
        return True
