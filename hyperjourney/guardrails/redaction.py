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
import re
from typing import Any
from urllib.parse import unquote

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


# The API's keys (``hj_<key id>_<secret>``, api/keys.py) reach logs in query strings a client put them in:
# the key id stays (it names the key to revoke), the secret never does.
_API_KEY = re.compile(r"\b(hj_[A-Za-z0-9]+_)[A-Za-z0-9_-]+")


def log_safe(text: str) -> str:
    """A log line's text with PII tokenised and API key secrets masked; a URL's percent-encoded PII
    (``ana%40example.com`` in a query string) is found in its decoded form."""
    if "%" in text and (decoded := unquote(text)) != text and redact(decoded).text != decoded:
        text = decoded
    return _API_KEY.sub(r"\1***", redact(text).text)


def _safe_arg(value: Any) -> Any:
    if value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    safe = log_safe(text)
    return value if safe == text and isinstance(value, int | float) else safe  # numbers keep %d / %.2f working


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place and keep it formattable: each argument is redacted where it stands, so
    formatters that read ``record.args`` themselves (uvicorn's access log unpacks five of them) still work."""
    try:
        original = record.getMessage()
    except (TypeError, ValueError, KeyError):  # a malformed format string: leave it to logging to report
        return
    record.msg = log_safe(record.msg) if isinstance(record.msg, str) else log_safe(str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(_safe_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _safe_arg(v) for k, v in record.args.items()}
    try:
        record.getMessage()
    except (TypeError, ValueError, KeyError):  # an argument's type changed under its format: keep the final text
        record.msg, record.args = log_safe(original), ()


def install_log_redaction() -> None:
    """Redact every log record the process creates, whichever library logs it (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "hyperjourney_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    factory.hyperjourney_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingFilter(logging.Filter):
    """Attach to a handler so log lines never carry raw PII."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True
